package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleCacheTest {

    @TempDir
    Path dir;

    private final Catalog catalog = Catalog.of("test",
            IntStream.rangeClosed(1, 50).mapToObj(i -> Item.of(i, "Item " + i)).toList());
    private final List<UserHistory> users = List.of(new UserHistory("1", List.of(1, 2, 3, 4, 5, 6)),
            new UserHistory("2", List.of(9, 8, 7, 6, 5)));
    private final SamplingConfig config = new SamplingConfig("test", "abc", Split.TEST, 9, 9,
            NegativeSampler.UNIFORM_WINDOW, 42);

    @Test
    void rerunWithTheSameConfigReusesTheSamples() {
        SampleCache cache = new SampleCache(WorkDir.of(dir));
        AtomicInteger generated = new AtomicInteger();
        SampleCache.Entry first = cache.getOrCreate(config, () -> {
            generated.incrementAndGet();
            return SampleGenerator.generate(catalog, users, config);
        });
        SampleCache.Entry second = cache.getOrCreate(config, () -> {
            generated.incrementAndGet();
            return SampleGenerator.generate(catalog, users, config);
        });
        assertThat(first.reused()).isFalse();
        assertThat(second.reused()).isTrue();
        assertThat(generated).hasValue(1);
        assertThat(second.samples()).isEqualTo(first.samples());
        assertThat(first.directory()).isEqualTo(dir.resolve("samples").resolve(config.key()));
        assertThat(first.directory().resolve("samples.jsonl")).exists();
        assertThat(first.directory().resolve("config.json")).exists();
    }

    @Test
    void everyConfigFieldChangesTheKey() {
        Set<String> keys = new HashSet<>();
        keys.add(config.key());
        keys.add(new SamplingConfig("other", "abc", Split.TEST, 9, 9, NegativeSampler.UNIFORM_WINDOW, 42).key());
        keys.add(new SamplingConfig("test", "abd", Split.TEST, 9, 9, NegativeSampler.UNIFORM_WINDOW, 42).key());
        keys.add(new SamplingConfig("test", "abc", Split.VALIDATION, 9, 9, NegativeSampler.UNIFORM_WINDOW, 42).key());
        keys.add(new SamplingConfig("test", "abc", Split.TEST, 5, 9, NegativeSampler.UNIFORM_WINDOW, 42).key());
        keys.add(new SamplingConfig("test", "abc", Split.TEST, 9, 99, NegativeSampler.UNIFORM_WINDOW, 42).key());
        keys.add(new SamplingConfig("test", "abc", Split.TEST, 9, 9, NegativeSampler.UNIFORM_USER, 42).key());
        keys.add(new SamplingConfig("test", "abc", Split.TEST, 9, 9, NegativeSampler.UNIFORM_WINDOW, 43).key());
        assertThat(keys).hasSize(8);
        assertThat(config.key()).matches("test-neg9-[0-9a-f]{16}");
        assertThat(Json.line(config)).doesNotContain("key");
    }

    @Test
    void aDifferentConfigNeverReusesAndATamperedEntryIsRebuilt() throws IOException {
        SampleCache cache = new SampleCache(WorkDir.of(dir));
        cache.getOrCreate(config, () -> SampleGenerator.generate(catalog, users, config));
        SamplingConfig other = config.with(Split.TEST, 19);
        SampleCache.Entry e = cache.getOrCreate(other, () -> SampleGenerator.generate(catalog, users, other));
        assertThat(e.reused()).isFalse();
        assertThat(e.samples()).allMatch(s -> s.negatives() == 19);

        Path samples = cache.samplesFile(config);
        Files.writeString(samples, Files.readString(samples).replace("u1-test", "u1-tost"));
        assertThat(cache.load(config)).isEmpty();
        SampleCache.Entry rebuilt = cache.getOrCreate(config,
                () -> SampleGenerator.generate(catalog, users, config));
        assertThat(rebuilt.reused()).isFalse();
        assertThat(rebuilt.samples()).extracting(RecommendationSample::sampleId).containsExactly("u1-test", "u2-test");

        Files.delete(cache.directory(config).resolve("config.json"));
        assertThat(cache.load(config)).isEmpty();
    }
}

import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes an untrained SASRec checkpoint (the default configuration, seeded initial weights) over every item of a
 * MovieLens-layout {@code movies.csv}, for measuring ranking throughput where training would take hours (it does
 * not depend on the weights). Run with the command-line jar on the class path:
 * {@code java -Dai.djl.offline=true -cp mllmrec-examples/target/mllmrec.jar mllmrec-spark/scripts/UntrainedSasRec.java
 * DATA/movies.csv W/checkpoints/sasrec}.
 */
public final class UntrainedSasRec {

    private UntrainedSasRec() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: UntrainedSasRec MOVIES_CSV CHECKPOINT_DIR");
            System.exit(2);
        }
        List<Integer> ids;
        try (Stream<String> lines = Files.lines(Path.of(args[0]))) {
            ids = lines.skip(1).map(l -> Integer.parseInt(l.substring(0, l.indexOf(','))))
                    .collect(Collectors.toList());
        }
        try (SasRecModel model = SasRecModel.create(SasRecConfig.defaults(), ids)) {
            model.save(Path.of(args[1]));
        }
        System.out.println("wrote an untrained SASRec over " + ids.size() + " items to " + args[1]);
    }
}

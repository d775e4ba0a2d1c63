package consumer;

import org.junit.jupiter.api.Test;

/** Runs the consumer's program (the check's way of running it without more plugins). */
class ConsumerTest {
    @Test
    void runs() throws Exception {
        Consumer.main(new String[0]);
    }
}

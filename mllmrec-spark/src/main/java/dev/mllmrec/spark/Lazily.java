package dev.mllmrec.spark;

import java.util.Iterator;
import java.util.function.Function;

/** A partition's rows mapped one at a time, so a task never holds its whole output. */
final class Lazily {

    private Lazily() {
    }

    static <A, B> Iterator<B> map(Iterator<A> input, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return input.hasNext();
            }

            @Override
            public B next() {
                return f.apply(input.next());
            }
        };
    }
}

package dev.mllmrec.spark;

import java.util.Iterator;
import java.util.function.Function;

/** A partition's rows mapped one at a time, so a task never holds its whole output. */
final class Lazily {

    private Lazily() {
    }

    /**
     * {@link #map} with up to {@code threads} rows mapped at once, in order: rows are read in chunks of
     * {@code 4 * threads}, each chunk mapped on a pool that ends with the input ({@code threads} 1: {@link #map}).
     * A failure of {@code f} fails the task with its exception.
     */
    static <A, B> Iterator<B> mapParallel(Iterator<A> input, Function<A, B> f, int threads) {
        if (threads <= 1) {
            return map(input, f);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mllmrec-partition");
            t.setDaemon(true);
            return t;
        });
        return new Iterator<>() {
            private final java.util.ArrayDeque<java.util.concurrent.Future<B>> ready = new java.util.ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty()) {
                    for (int i = 0; i < 4 * threads && input.hasNext(); i++) {
                        A a = input.next();
                        ready.add(pool.submit(() -> f.apply(a)));
                    }
                    if (ready.isEmpty()) {
                        pool.shutdown();
                    }
                }
                return !ready.isEmpty();
            }

            @Override
            public B next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                try {
                    return ready.poll().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                    throw new IllegalStateException("Interrupted while mapping a partition.", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    pool.shutdownNow();
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        };
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

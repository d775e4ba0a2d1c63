package dev.mllmrec.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A local OpenAI-compatible chat-completions server for the executor back-end tests: each reply is a function of the
 * request body (as a real model's depends on its prompt and images), answered after a short delay so that requests
 * overlap; it counts the requests and the most in flight at once.
 */
final class FakeOpenAiServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    FakeOpenAiServer(Function<byte[], String> reply) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(pool);
        server.createContext("/v1/chat/completions", exchange -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            boolean counted = true;
            try {
                requests.incrementAndGet();
                String content = reply.apply(exchange.getRequestBody().readAllBytes());
                Thread.sleep(15);
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("id", "chatcmpl-1").put("object", "chat.completion").put("model", "fake");
                ObjectNode choice = root.putArray("choices").addObject();
                choice.put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", content);
                byte[] out = Json.mapper().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
                // No longer in flight once the answer is written: the client may send its next request then.
                inFlight.decrementAndGet();
                counted = false;
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (counted) {
                    inFlight.decrementAndGet();
                }
                exchange.close();
            }
        });
        server.start();
    }

    /** The server's address, {@code http://127.0.0.1:<port>}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int requests() {
        return requests.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    /** Starts counting afresh. */
    void reset() {
        requests.set(0);
        maxInFlight.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

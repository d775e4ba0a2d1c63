package dev.mllmrec.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process OpenAI-compatible chat-completions server whose answers are scripted one request at a time, to
 * inject faults: slow answers, 429 with Retry-After, 5xx, malformed JSON, dropped connections, 4xx.
 */
public final class FakeChatServer implements AutoCloseable {

    /** What the server does with one request. */
    @FunctionalInterface
    public interface Answer {
        void handle(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** Set by the handler thread: ends the current request's in-flight count (see {@link #slow}). */
    private static final ThreadLocal<Runnable> BEFORE_ANSWER = new ThreadLocal<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Answer fallback = ok("A default caption.");

    public FakeChatServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", exchange -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            // A request stops counting as in flight once its answer is about to be written: the client may release
            // its concurrency permit and send the next request as soon as the response arrives, before this
            // handler's finally block runs (which made the count read 3 for 2 permits under load).
            boolean[] left = {false};
            Runnable leave = () -> {
                if (!left[0]) {
                    left[0] = true;
                    inFlight.decrementAndGet();
                }
            };
            BEFORE_ANSWER.set(leave);
            try {
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                authorizations.add(auth == null ? "" : auth);
                Answer a = script.poll();
                (a == null ? fallback : a).handle(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException ignored) {
                // The client gave up (timeout) or the fault closed the connection.
            } finally {
                leave.run();
                BEFORE_ANSWER.remove();
                exchange.close();
            }
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Queues answers for the next requests, in order; after them the fallback answers. */
    public FakeChatServer then(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** What requests get once the script is used up. */
    public FakeChatServer otherwise(Answer answer) {
        this.fallback = answer;
        return this;
    }

    /** The request bodies received, in order. */
    public List<String> bodies() {
        return bodies;
    }

    /** The Authorization headers received ("" when absent). */
    public List<String> authorizations() {
        return authorizations;
    }

    /** How many requests were received. */
    public int requests() {
        return bodies.size();
    }

    /** The most requests received and not yet answered at once (a slow answer stops counting as it answers). */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** A well-formed chat completion whose message content is {@code content}. */
    public static Answer ok(String content) {
        return exchange -> {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("id", "chatcmpl-1").put("object", "chat.completion").put("model", "fake-vl");
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            root.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 7);
            send(exchange, 200, Json.mapper().writeValueAsString(root), null);
        };
    }

    /** An answer with a status, a body and optionally a Retry-After header. */
    public static Answer status(int code, String body, String retryAfter) {
        return exchange -> send(exchange, code, body, retryAfter);
    }

    /** Waits {@code millis} before answering with {@code then}. */
    public static Answer slow(long millis, Answer then) {
        return exchange -> {
            Thread.sleep(millis);
            Runnable leave = BEFORE_ANSWER.get();
            if (leave != null) {
                leave.run();
            }
            then.handle(exchange);
        };
    }

    /** Closes the connection without any answer. */
    public static Answer drop() {
        return exchange -> {
            // Closing before the response headers are sent makes the server close the connection.
            exchange.close();
        };
    }

    /** A 200 answer that is not JSON. */
    public static Answer malformed() {
        return exchange -> send(exchange, 200, "{\"choices\": [ this is not json", null);
    }

    /** Echoes the Authorization header back in an error body (as some APIs do). */
    public static Answer echoKey(int code) {
        return exchange -> send(exchange, code, "{\"error\":{\"message\":\"Incorrect API key provided: "
                + exchange.getRequestHeaders().getFirst("Authorization") + "\"}}", null);
    }

    private static void send(HttpExchange exchange, int code, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The first request body as JSON. */
    public JsonNode firstRequest() {
        try {
            return Json.mapper().readTree(bodies.get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

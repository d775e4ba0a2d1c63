package dev.mllmrec.core.data;

import dev.mllmrec.api.Interaction;
import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns interactions into chronological per-user sequences and filters them.
 *
 * <p>Thread-safe: stateless.
 */
public final class Sequences {

    /**
     * The order of users in every file we write: numeric ids by value, then any other ids by their text, so that
     * {@code 2} comes before {@code 10}.
     */
    public static final Comparator<String> USER_ORDER = (a, b) -> {
        boolean na = isNumber(a);
        boolean nb = isNumber(b);
        if (na && nb) {
            int c = Long.compare(Long.parseLong(a), Long.parseLong(b));
            return c != 0 ? c : a.compareTo(b);
        }
        if (na != nb) {
            return na ? -1 : 1;
        }
        return a.compareTo(b);
    };

    /** The chronological order of one user's interactions: by timestamp, ties broken by item id. */
    public static final Comparator<Interaction> CHRONOLOGICAL =
            Comparator.comparingLong(Interaction::timestamp).thenComparingInt(Interaction::itemId);

    private Sequences() {
    }

    /**
     * Groups interactions by user and sorts each user's by {@code (timestamp, itemId)}; users come in
     * {@link #USER_ORDER}.
     */
    public static List<UserHistory> chronological(List<Interaction> interactions) {
        Map<String, List<Interaction>> byUser = new HashMap<>();
        for (Interaction i : interactions) {
            byUser.computeIfAbsent(i.userId(), u -> new ArrayList<>()).add(i);
        }
        List<String> users = new ArrayList<>(byUser.keySet());
        users.sort(USER_ORDER);
        List<UserHistory> out = new ArrayList<>(users.size());
        for (String user : users) {
            List<Interaction> list = byUser.get(user);
            list.sort(CHRONOLOGICAL);
            out.add(new UserHistory(user, list.stream().map(Interaction::itemId).toList()));
        }
        return out;
    }

    /** The sequences with at least {@code min} items, in their order. */
    public static List<UserHistory> withMinLength(List<UserHistory> sequences, int min) {
        return sequences.stream().filter(s -> s.size() >= min).toList();
    }

    /** Sorts histories in {@link #USER_ORDER}. */
    public static List<UserHistory> sortedByUser(List<UserHistory> sequences) {
        List<UserHistory> copy = new ArrayList<>(sequences);
        copy.sort(Comparator.comparing(UserHistory::userId, USER_ORDER));
        return List.copyOf(copy);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

package dev.mllmrec.core.lm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A prefix tree over token sequences (each candidate's whole answer line, typically ending with the end of
 * sequence), which constrains generation when an answer takes several tokens, as with a pretrained tokenizer that
 * has no token per item: at each step only the children of the current node may be generated, so every completion
 * spells one of the sequences exactly. Where a node has a single child the token is forced (the policy chose
 * nothing there); where it has several, the policy chooses among them.
 *
 * <p>Nodes are numbered from {@link #ROOT}; a node without children ends a sequence. A sequence that is a proper
 * prefix of another ends at an inner node: end every sequence with a terminator (the end of sequence) so that none
 * is.
 *
 * <p>Immutable and thread-safe.
 */
public final class AnswerTrie {

    /** The root node: nothing generated yet. */
    public static final int ROOT = 0;

    /** Per node, its children's tokens in first-seen order. */
    private final int[][] tokens;
    /** Per node, its children's nodes, aligned with {@link #tokens}. */
    private final int[][] children;
    private final int[] depth;
    private final int sequences;
    private final int maxLength;

    private AnswerTrie(int[][] tokens, int[][] children, int[] depth, int sequences, int maxLength) {
        this.tokens = tokens;
        this.children = children;
        this.depth = depth;
        this.sequences = sequences;
        this.maxLength = maxLength;
    }

    /**
     * The trie of {@code sequences} (duplicates collapse into one path).
     *
     * @throws IllegalArgumentException when there is no sequence, one is empty, or one holds a negative id
     */
    public static AnswerTrie of(List<int[]> sequences) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("An answer trie needs at least one sequence.");
        }
        List<List<int[]>> edges = new ArrayList<>(); // per node: {token, child} pairs
        List<Integer> depths = new ArrayList<>();
        edges.add(new ArrayList<>());
        depths.add(0);
        Map<Long, Integer> index = new HashMap<>();
        int longest = 0;
        for (int s = 0; s < sequences.size(); s++) {
            int[] seq = sequences.get(s);
            if (seq.length == 0) {
                throw new IllegalArgumentException("Answer sequence " + s + " is empty.");
            }
            longest = Math.max(longest, seq.length);
            int node = ROOT;
            for (int token : seq) {
                if (token < 0) {
                    throw new IllegalArgumentException("Answer sequence " + s + " holds the invalid id " + token
                            + ": " + Arrays.toString(seq) + ".");
                }
                long key = ((long) node << 32) | token;
                Integer child = index.get(key);
                if (child == null) {
                    child = edges.size();
                    edges.add(new ArrayList<>());
                    depths.add(depths.get(node) + 1);
                    edges.get(node).add(new int[] {token, child});
                    index.put(key, child);
                }
                node = child;
            }
        }
        int n = edges.size();
        int[][] tokens = new int[n][];
        int[][] children = new int[n][];
        int[] depth = new int[n];
        for (int i = 0; i < n; i++) {
            List<int[]> e = edges.get(i);
            tokens[i] = new int[e.size()];
            children[i] = new int[e.size()];
            for (int j = 0; j < e.size(); j++) {
                tokens[i][j] = e.get(j)[0];
                children[i][j] = e.get(j)[1];
            }
            depth[i] = depths.get(i);
        }
        return new AnswerTrie(tokens, children, depth, sequences.size(), longest);
    }

    /** The tokens that may follow {@code node} (a copy; empty at the end of a sequence). */
    public int[] allowed(int node) {
        return tokens[node].clone();
    }

    /** How many tokens may follow {@code node}: 0 at the end of a sequence, 1 where the next token is forced. */
    public int choices(int node) {
        return tokens[node].length;
    }

    /** The node after {@code token} at {@code node}, or -1 when {@code token} is not allowed there. */
    public int next(int node, int token) {
        int[] t = tokens[node];
        for (int i = 0; i < t.length; i++) {
            if (t[i] == token) {
                return children[node][i];
            }
        }
        return -1;
    }

    /** Whether {@code node} ends a sequence (nothing may follow it). */
    public boolean isEnd(int node) {
        return tokens[node].length == 0;
    }

    /** The number of tokens from the root to {@code node}. */
    public int depth(int node) {
        return depth[node];
    }

    /** The length of the longest sequence. */
    public int maxLength() {
        return maxLength;
    }

    /** The number of sequences it was built from (duplicates counted). */
    public int sequenceCount() {
        return sequences;
    }

    /** The number of nodes, the root included. */
    public int size() {
        return tokens.length;
    }

    /**
     * Per token of {@code ids} (a path from the root, possibly cut short), whether the policy chose it: true where
     * its node had several children, false where it was forced. Tokens after the path leaves the trie count as
     * chosen.
     */
    public boolean[] chosen(int[] ids) {
        boolean[] out = new boolean[ids.length];
        int node = ROOT;
        for (int j = 0; j < ids.length; j++) {
            if (node < 0) {
                out[j] = true;
                continue;
            }
            out[j] = choices(node) != 1;
            node = next(node, ids[j]);
        }
        return out;
    }

    @Override
    public String toString() {
        return "AnswerTrie[" + sequences + " sequences, " + size() + " nodes, longest " + maxLength + "]";
    }
}

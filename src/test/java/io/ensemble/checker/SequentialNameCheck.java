package io.ensemble.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequential names are never handed out twice: no two acknowledged sequential creates return the same path, and
 * under one parent the sequence number grows with zxid order and with real time (a create invoked after another
 * completed gets a higher number). A smaller number later means the counter went back and names can repeat.
 */
final class SequentialNameCheck {
    private SequentialNameCheck() {
    }

    static List<Violation> check(History history) {
        List<Operation> creates = history.operations().stream()
                .filter(op -> op.kind() == OpKind.CREATE_SEQUENTIAL && op.isOk()).toList();
        List<Violation> out = new ArrayList<>(duplicates(creates));
        Map<String, List<Operation>> byParent = new LinkedHashMap<>();
        for (Operation op : creates) {
            byParent.computeIfAbsent(parent(op.register()), p -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<String, List<Operation>> e : byParent.entrySet()) {
            Violation v = outOfOrder(e.getKey(), e.getValue());
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static List<Violation> duplicates(List<Operation> creates) {
        Map<String, List<Operation>> byName = new LinkedHashMap<>();
        for (Operation op : creates) {
            byName.computeIfAbsent(op.register(), n -> new ArrayList<>()).add(op);
        }
        List<Violation> out = new ArrayList<>();
        byName.forEach((name, ops) -> {
            if (ops.size() > 1) {
                out.add(new Violation(Violation.Kind.SEQUENTIAL_NAME_REUSED, name,
                        ops.size() + " sequential creates were all given " + name, ops));
            }
        });
        return out;
    }

    /** The first pair under {@code parent} whose sequence numbers contradict zxid order or real time. */
    private static Violation outOfOrder(String parent, List<Operation> creates) {
        List<Operation> byZxid = creates.stream().filter(op -> op.zxid() != Result.UNKNOWN)
                .sorted(Comparator.comparingLong(Operation::zxid)).toList();
        for (int i = 1; i < byZxid.size(); i++) {
            Operation a = byZxid.get(i - 1);
            Operation b = byZxid.get(i);
            if (sequence(b) <= sequence(a) && !a.register().equals(b.register())) {
                return new Violation(Violation.Kind.SEQUENTIAL_NAME_REUSED, parent, "#" + b.id() + " has a higher zxid"
                        + " than #" + a.id() + " but no higher sequence number", List.of(a, b));
            }
        }
        // real time: compare each create with the highest number among those completed before it was invoked
        List<Operation> byCompletion = creates.stream()
                .sorted(Comparator.comparingLong(Operation::completeNanos)).toList();
        List<Operation> byInvocation = creates.stream()
                .sorted(Comparator.comparingLong(Operation::invokeNanos)).toList();
        Operation highest = null;
        int completed = 0;
        for (Operation b : byInvocation) {
            while (completed < byCompletion.size() && byCompletion.get(completed).completeNanos() < b.invokeNanos()) {
                Operation a = byCompletion.get(completed++);
                if (highest == null || sequence(a) > sequence(highest)) {
                    highest = a;
                }
            }
            if (highest != null && sequence(b) <= sequence(highest) && !highest.register().equals(b.register())) {
                return new Violation(Violation.Kind.SEQUENTIAL_NAME_REUSED, parent, "#" + b.id() + " was invoked after #"
                        + highest.id() + " completed but got no higher sequence number", List.of(highest, b));
            }
        }
        return null;
    }

    /** The counter ZooKeeper appends: the last ten digits of the name (-1 if there are none). */
    static long sequence(Operation create) {
        String name = create.register();
        try {
            return Long.parseLong(name.substring(Math.max(0, name.length() - 10)));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}

package io.ensemble.faults;

/**
 * Where the workers of a {@link RecordedLoad} wait, before their next logical operation, while the test holds the
 * load (operations in flight complete).
 */
final class LoadGate {
    private boolean held;

    synchronized void hold() {
        held = true;
    }

    synchronized void release() {
        held = false;
        notifyAll();
    }

    synchronized void awaitOpen() throws InterruptedException {
        while (held) {
            wait();
        }
    }
}

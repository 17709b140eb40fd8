package io.ensemble.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real threads: who handles each batch, in what order, and that nothing queued is left behind. */
class SerialBatchesTest {

    /** An item and what handling it should do first (block, submit more). */
    private record Item(String name, Runnable whileHandled) {
        Item(String name) {
            this(name, () -> { });
        }
    }

    private record Handled(String name, Thread thread) {
    }

    private final List<Handled> handled = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final List<Thread> started = new ArrayList<>();

    private final SerialBatches<Item> batches = new SerialBatches<>(100, batch -> {
        if (running.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        try {
            for (Item i : batch) {
                i.whileHandled().run();
                handled.add(new Handled(i.name(), Thread.currentThread()));
            }
        } finally {
            running.decrementAndGet();
        }
    });

    @AfterEach
    void stopThreads() {
        batches.stop(1000);
        started.forEach(Thread::interrupt);
    }

    private Thread startFallback() {
        Thread t = Thread.ofPlatform().name("fallback").daemon().start(batches::runLoop);
        started.add(t);
        return t;
    }

    private Thread start(String name, Runnable r) {
        Thread t = Thread.ofPlatform().name(name).daemon().start(r);
        started.add(t);
        return t;
    }

    private List<String> names() {
        synchronized (handled) {
            return handled.stream().map(Handled::name).toList();
        }
    }

    private Thread handlerOf(String name) {
        synchronized (handled) {
            return handled.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow().thread();
        }
    }

    /** Submits an item that holds the turn until {@code release} opens; returns once it is being handled. */
    private void holdTurn(CountDownLatch release) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        start("holder", () -> batches.submit(new Item("held", () -> {
            holding.countDown();
            awaitQuietly(release);
        })));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void workSubmittedWhileNothingRunsIsHandledOnTheSubmittingThread() {
        startFallback();
        batches.submit(new Item("a"));
        batches.submit(new Item("b"));

        assertThat(names()).containsExactly("a", "b");
        assertThat(handlerOf("a")).isSameAs(Thread.currentThread());
        assertThat(handlerOf("b")).isSameAs(Thread.currentThread());
    }

    @Test
    void workSubmittedWhileABatchRunsWaitsAndTheFallbackThreadHandlesIt() throws InterruptedException {
        Thread fallback = startFallback();
        CountDownLatch release = new CountDownLatch(1);
        holdTurn(release);

        batches.submit(new Item("queued")); // returns at once: the turn is taken
        assertThat(names()).isEmpty();
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> names().size() == 2);
        assertThat(names()).containsExactly("held", "queued");
        assertThat(handlerOf("queued")).isSameAs(fallback);
    }

    @Test
    void enqueuedWorkIsNeverHandledOnTheCallersThread() {
        Thread fallback = startFallback();
        batches.enqueue(new Item("queued"));

        await().atMost(Duration.ofSeconds(10)).until(() -> names().size() == 1);
        assertThat(handlerOf("queued")).isSameAs(fallback);
    }

    @Test
    void aSubmitterNeverHandlesWhatOthersQueued() throws InterruptedException {
        // no fallback thread yet: what is queued waits for it, even when the turn is free
        CountDownLatch release = new CountDownLatch(1);
        holdTurn(release);
        batches.submit(new Item("others"));
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> names().contains("held"));

        batches.submit(new Item("mine")); // the turn is free now, but "others" is queued before it
        assertThat(names()).containsExactly("held");

        Thread fallback = startFallback();
        await().atMost(Duration.ofSeconds(10)).until(() -> names().size() == 3);
        assertThat(names()).containsExactly("held", "others", "mine");
        assertThat(handlerOf("others")).isSameAs(fallback);
        assertThat(handlerOf("mine")).isSameAs(fallback);
    }

    @Test
    void workSubmittedFromInsideABatchRunsAfterItNotWithinIt() {
        startFallback();
        List<String> seenWhenInnerRan = new ArrayList<>();
        batches.submit(new Item("outer", () -> {
            batches.submit(new Item("inner", () -> seenWhenInnerRan.addAll(names())));
            batches.enqueue(new Item("inner enqueued"));
        }));

        await().atMost(Duration.ofSeconds(10)).until(() -> names().size() == 3);
        assertThat(names()).containsExactly("outer", "inner", "inner enqueued");
        assertThat(seenWhenInnerRan).containsExactly("outer");
        assertThat(overlaps).hasValue(0);
    }

    @Test
    void manySubmittersKeepEachOnesOrderAndNeverOverlap() throws InterruptedException {
        startFallback();
        int threads = 8;
        int each = 2000;
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + ":";
            boolean enqueue = t % 2 == 0;
            start("submitter-" + t, () -> {
                awaitQuietly(go);
                for (int i = 0; i < each; i++) {
                    Item item = new Item(prefix + i);
                    if (enqueue) {
                        batches.enqueue(item);
                    } else {
                        batches.submit(item);
                    }
                }
            });
        }
        go.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> names().size() == threads * each);
        assertThat(overlaps).hasValue(0);
        ConcurrentHashMap<String, Integer> last = new ConcurrentHashMap<>();
        for (String name : names()) {
            String[] parts = name.split(":");
            int i = Integer.parseInt(parts[1]);
            assertThat(last.getOrDefault(parts[0], -1)).as(name).isEqualTo(i - 1);
            last.put(parts[0], i);
        }
    }

    @Test
    void noBatchStartsAfterStop() {
        startFallback();
        batches.stop(1000);
        batches.submit(new Item("late"));
        batches.enqueue(new Item("late queued"));
        assertThat(names()).isEmpty();
    }
}

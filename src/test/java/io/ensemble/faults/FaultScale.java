package io.ensemble.faults;

import java.time.Duration;

/**
 * How big the fault scenarios run: quick by default (the whole package in a few minutes), longer with
 * {@code -Densemble.faults.nightly=true} ({@code ./mvnw -Pnightly verify}): more rounds, longer load.
 */
final class FaultScale {
    static final boolean NIGHTLY = Boolean.getBoolean("ensemble.faults.nightly");
    /** Load without a fault before each fault: none in quick runs, a while nightly. */
    static final Duration SOAK = NIGHTLY ? Duration.ofSeconds(10) : Duration.ZERO;

    private FaultScale() {
    }

    static int rounds(int quick, int nightly) {
        return NIGHTLY ? nightly : quick;
    }
}

package io.ensemble.faults;

import io.ensemble.checker.OpKind;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operation mixes: each number from 0 to 99 picks one kind, in the proportions the mix names. */
class LoadPlanTest {
    @Test
    void theRegistersMixPicksReadsWritesCasAndSequentialCreatesInThatOrder() {
        LoadPlan.Mix mix = LoadPlan.Mix.REGISTERS;
        assertThat(mix.pick(0)).isEqualTo(OpKind.READ);
        assertThat(mix.pick(39)).isEqualTo(OpKind.READ);
        assertThat(mix.pick(40)).isEqualTo(OpKind.WRITE);
        assertThat(mix.pick(64)).isEqualTo(OpKind.WRITE);
        assertThat(mix.pick(65)).isEqualTo(OpKind.CAS);
        assertThat(mix.pick(84)).isEqualTo(OpKind.CAS);
        assertThat(mix.pick(85)).isEqualTo(OpKind.CREATE_SEQUENTIAL);
        assertThat(mix.pick(99)).isEqualTo(OpKind.CREATE_SEQUENTIAL);
        assertThat(mix.registersComeAndGo()).isFalse();
    }

    @Test
    void theChurnMixAlsoCreatesAndDeletesRegisters() {
        Map<OpKind, Integer> counts = new EnumMap<>(OpKind.class);
        for (int percent = 0; percent < 100; percent++) {
            counts.merge(LoadPlan.Mix.CHURN.pick(percent), 1, Integer::sum);
        }
        assertThat(counts).isEqualTo(Map.of(OpKind.READ, 35, OpKind.WRITE, 35, OpKind.CAS, 10,
                OpKind.CREATE_SEQUENTIAL, 5, OpKind.CREATE, 10, OpKind.DELETE, 5));
        assertThat(LoadPlan.Mix.CHURN.registersComeAndGo()).isTrue();
    }

    @Test
    void aMixMustAddUpToAHundred() {
        assertThatThrownBy(() -> new LoadPlan.Mix(50, 50, 10, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}

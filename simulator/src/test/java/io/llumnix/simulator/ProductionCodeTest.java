package io.llumnix.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.cms.CmsStore;
import io.llumnix.enginesim.core.EngineStats;
import io.llumnix.scheduler.policy.ClusterView;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.Filter;
import io.llumnix.scheduler.policy.GlobalFilter;
import io.llumnix.scheduler.policy.Metric;
import io.llumnix.scheduler.policy.Selector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The simulation decides with the production scheduler, not a copy: no class of this module is
 * a policy, a part of one, a cluster view, or a CMS store of its own.
 */
class ProductionCodeTest {

  static final List<Class<?>> PRODUCTION_ONLY = List.of(DispatchPolicy.class, Filter.class,
      GlobalFilter.class, Metric.class, Selector.class, ClusterView.class, CmsStore.class);

  @Test
  void noClassOfTheSimulatorIsPolicyCode() throws Exception {
    List<Class<?>> classes = simulatorClasses();

    assertThat(classes).hasSizeGreaterThan(15);
    for (Class<?> type : classes) {
      for (Class<?> production : PRODUCTION_ONLY) {
        assertThat(production.isAssignableFrom(type))
            .as(type.getName() + " is a " + production.getSimpleName()).isFalse();
      }
    }
    // What the simulation does implement: the engines' stats, gathered for the report.
    assertThat(classes).anyMatch(EngineStats.class::isAssignableFrom);
  }

  private static List<Class<?>> simulatorClasses() throws IOException {
    Path root = Path.of(Simulation.class.getProtectionDomain().getCodeSource().getLocation()
        .getPath());
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".class"))
          .map(f -> root.relativize(f).toString().replace('/', '.').replace(".class", ""))
          .map(ProductionCodeTest::load).toList();
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, ProductionCodeTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}

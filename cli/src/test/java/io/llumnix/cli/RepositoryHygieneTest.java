package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: nothing in it points at material outside it (the design
 * notes it was written from) or cites their section numbers, and every module has a README.
 */
class RepositoryHygieneTest {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** Links out of the repository, and citations of the outside design notes. */
  static final Pattern OUTSIDE = Pattern.compile(
      "\\.\\./shared|(llumnix|engine-sim|vllm-kv-events|style|build-notes)\\.md|\u00a7");

  /** The repository's files: tracked, or new and not ignored (build output is ignored). */
  static List<Path> files() throws IOException, InterruptedException {
    Process git = new ProcessBuilder("git", "ls-files", "--cached", "--others",
        "--exclude-standard").directory(ROOT.toFile()).redirectErrorStream(true).start();
    List<String> names = new String(git.getInputStream().readAllBytes()).lines().toList();
    assertThat(git.waitFor()).as(String.join("\n", names)).isZero();
    return names.stream().map(ROOT::resolve).filter(Files::isRegularFile).toList();
  }

  @Test
  void nothingPointsOutsideTheRepository() throws IOException, InterruptedException {
    List<String> found = new ArrayList<>();
    for (Path file : files()) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (MalformedInputException binary) { // the tokenizer's gzip, say
        continue;
      }
      for (int i = 0; i < lines.size(); i++) {
        if (OUTSIDE.matcher(lines.get(i)).find()) {
          found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertThat(found).as("references to material outside the repository").isEmpty();
  }

  @Test
  void everyModuleHasAReadme() throws IOException {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    List<String> modules = Pattern.compile("<module>([^<]+)</module>").matcher(pom).results()
        .map(m -> m.group(1)).toList();
    assertThat(modules).hasSizeGreaterThan(10);
    for (String module : modules) {
      assertThat(ROOT.resolve(module).resolve("README.md")).as(module).isRegularFile();
    }
    assertThat(ROOT.resolve("docs/architecture.md")).isRegularFile();
  }
}

package io.knative.lambda.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The README is a front door: every link in the repository's documentation leads to a file and heading that exist. */
class DocumentationLinksTest {

    @Test
    void everyRelativeLinkInTheDocumentationResolves() {
        Path root = RepositoryText.root();
        List<Path> docs = RepositoryText.files(".md");

        List<String> broken = docs.stream().flatMap(doc -> DocumentationLinks.broken(root, doc).stream()).toList();

        assertThat(docs).as("the documentation").contains(root.resolve("README.md"), root.resolve("docs/design.md"),
                root.resolve("builder-service/README.md"));
        assertThat(broken).as("links that lead nowhere:%n  %s", String.join("\n  ", broken)).isEmpty();
    }

    @Test
    void headingsBecomeGitHubAnchors() {
        assertThat(DocumentationLinks.slug("What you get back (failure policy)")).isEqualTo("what-you-get-back-failure-policy");
        assertThat(DocumentationLinks.slug("One machine: `make run`")).isEqualTo("one-machine-make-run");
        assertThat(DocumentationLinks.slug("Architecture — a code map")).isEqualTo("architecture--a-code-map");
    }
}

package io.knative.lambda.platform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The relative links of a Markdown file that lead nowhere: a missing file, or a heading the target does not have. */
final class DocumentationLinks {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$");

    private DocumentationLinks() {
    }

    /** Each broken link of {@code file}, as {@code file: target (why)}. */
    static List<String> broken(Path root, Path file) {
        List<String> broken = new ArrayList<>();
        Matcher m = LINK.matcher(RepositoryText.withoutCodeBlocks(RepositoryText.read(file)));
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("[a-z]+:.*")) {
                continue; // https:, mailto:: not ours to check here
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            String anchor = hash < 0 ? null : target.substring(hash + 1);
            Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            String where = root.relativize(file) + ": " + target;
            if (!Files.exists(resolved)) {
                broken.add(where + " (no such file)");
            } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
                broken.add(where + " (no such heading in " + root.relativize(resolved) + ")");
            }
        }
        return broken;
    }

    /** The anchors GitHub gives the headings of a Markdown file. */
    static Set<String> anchors(Path markdown) {
        Matcher m = HEADING.matcher(RepositoryText.withoutCodeBlocks(RepositoryText.read(markdown)));
        List<String> headings = new ArrayList<>();
        while (m.find()) {
            headings.add(slug(m.group(1)));
        }
        return headings.stream().collect(Collectors.toSet());
    }

    /** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
    static String slug(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}

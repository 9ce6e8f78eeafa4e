//DEPS org.apache.commons:commons-lang3:3.20.0

import java.util.Map;

import org.apache.commons.lang3.StringUtils;

/** POST {"title": "Crème Brûlée for Everyone"} -> {"slug": "creme-brulee-for-everyone"}: a dependency from Maven Central. */
public class Slug {
    public static Map<String, Object> handler(Map<String, Object> event) {
        String title = String.valueOf(event.getOrDefault("title", ""));
        String plain = StringUtils.stripAccents(title).toLowerCase(java.util.Locale.ROOT);
        String slug = StringUtils.strip(plain.replaceAll("[^a-z0-9]+", "-"), "-");
        return Map.of("slug", StringUtils.abbreviate(slug, "", 60));
    }
}

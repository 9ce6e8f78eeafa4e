package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The function's layers of an image: the regular files under one image folder ({@code /function}, the code, or
 * {@code /function-deps}, the dependency layer) of an (uncompressed) tar, written into a folder; long names (GNU and
 * PAX) understood, paths that would escape the folder refused.
 */
final class FunctionLayer {

    private static final String FUNCTION_PREFIX = "function/";

    private FunctionLayer() {
    }

    /** Writes the regular files under {@code function/} of a tar into {@code target}, refusing paths that escape it. */
    static void extract(byte[] tar, Path target) throws IOException {
        extract(tar, FUNCTION_PREFIX, target);
    }

    /**
     * Writes the regular files under {@code prefix} (an image folder without its leading {@code /}, ending in
     * {@code /}) of a tar into {@code target}, refusing paths that escape it.
     */
    static void extract(byte[] tar, String prefix, Path target) throws IOException {
        int pos = 0;
        String longName = null;
        while (pos + 512 <= tar.length) {
            boolean zero = true;
            for (int i = pos; i < pos + 512 && zero; i++) {
                zero = tar[i] == 0;
            }
            if (zero) {
                break;
            }
            String name = field(tar, pos, 100);
            String sizeField = field(tar, pos + 124, 12).trim();
            long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
            char type = (char) tar[pos + 156];
            String ustarPrefix = field(tar, pos + 345, 155);
            int dataStart = pos + 512;
            if (size < 0 || dataStart + size > tar.length) {
                throw new IOException("truncated tar entry " + name);
            }
            if (type == 'L') {
                longName = new String(tar, dataStart, (int) size, StandardCharsets.UTF_8).trim();
            } else if (type == 'x') {
                for (String record : new String(tar, dataStart, (int) size, StandardCharsets.UTF_8).split("\n")) {
                    int at = record.indexOf(" path=");
                    if (at >= 0) {
                        longName = record.substring(at + 6);
                    }
                }
            } else {
                String path = longName != null ? longName : (ustarPrefix.isEmpty() ? name : ustarPrefix + "/" + name);
                longName = null;
                path = path.startsWith("/") ? path.substring(1) : path;
                if ((type == '0' || type == 0) && path.startsWith(prefix)) {
                    Path out = target.resolve(path.substring(prefix.length())).normalize();
                    if (!out.startsWith(target)) {
                        throw new IOException("layer entry escapes the function folder: " + path);
                    }
                    Files.createDirectories(out.getParent());
                    Files.write(out, java.util.Arrays.copyOfRange(tar, dataStart, dataStart + (int) size));
                }
            }
            pos = dataStart + (int) ((size + 511) / 512 * 512);
        }
    }

    private static String field(byte[] b, int from, int length) {
        int end = from;
        while (end < from + length && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

}

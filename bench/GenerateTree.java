/*
 * Deterministic benchmark data for the scripts in bench/. No dependencies: run it with the JDK's single-file
 * launcher (JDK 11+), so it needs no build and never enters the product jar.
 *
 *   java bench/GenerateTree.java big   DIR [--mib 1024] [--file-mib 64] [--seed 1]
 *   java bench/GenerateTree.java small DIR [--files 200000] [--dirs FILES/100] [--seed 2]
 *                                          [--min-bytes 0] [--max-bytes 8192]
 *
 * big:   MIB MiB of incompressible bytes in files of FILE_MIB MiB (the last one takes the remainder),
 *        named big-000.bin, big-001.bin, ...
 * small: FILES files of MIN_BYTES..MAX_BYTES bytes (uniform; default 0..8192) of incompressible bytes, in DIRS
 *        nested directories
 *        (at most 6 levels below DIR). Most directories hold a handful of files; DIRS/200 "heavy" ones
 *        (at least one) share 20% of all files between them, i.e. a few thousand entries each at the defaults.
 *        About 1 name in 50 contains non-ASCII letters (UTF-8), as real folders do.
 *
 * The same arguments always give the same names, sizes, bytes and modification times (fixed past dates with
 * nanoseconds), whatever the machine: every random number comes from SplitMix64 seeded from --seed, and each
 * file's bytes from a stream seeded by (seed, file number). DIR must not exist or be empty. Prints one summary
 * line on standard output.
 */

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

public final class GenerateTree {
    private static final long MIB = 1024 * 1024;
    private static final int MAX_SMALL_FILE_BYTES = 8192;
    private static final long LARGEST_SMALL_FILE_BYTES = 64 * MIB; // the buffer holds one whole file
    private static final int MAX_DEPTH = 6;
    private static final int HEAVY_SHARE_PERCENT = 20;
    private static final int DIRS_PER_HEAVY_DIR = 200;
    // 2024-01-01T00:00:00Z: old enough that no scanner treats the files as "just modified" (racy).
    private static final long BASE_EPOCH_SECONDS = 1_704_067_200L;
    private static final String[] WORDS = {
        "src", "docs", "notes", "photos", "report", "invoice", "draft", "backup", "music", "track", "data",
        "config", "test", "build", "lib", "assets", "img", "scan", "letter", "plan", "budget", "thesis", "slides",
        "archive", "misc", "projects", "2023", "2024", "old", "new", "final", "summary", "log", "cache", "index"};
    private static final String[] ACCENTED = {"résumé", "café", "Über", "niño", "façade", "smörgås", "日記"};
    private static final String[] EXTENSIONS = {
        ".txt", ".md", ".java", ".json", ".jpg", ".png", ".pdf", ".csv", ".html", ".log", ".xml", ".bin", ""};

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            usage("missing arguments");
        }
        Map<String, Long> options = parseOptions(args);
        Path dir = Paths.get(args[1]);
        checkEmptyOrAbsent(dir);
        long startNanos = System.nanoTime();
        String summary;
        switch (args[0]) {
            case "big":
                summary = generateBig(dir, option(options, "mib", 1024), option(options, "file-mib", 64),
                        option(options, "seed", 1));
                break;
            case "small":
                long files = option(options, "files", 200_000);
                long minBytes = option(options, "min-bytes", 0);
                long maxBytes = option(options, "max-bytes", MAX_SMALL_FILE_BYTES);
                if (minBytes > maxBytes || maxBytes > LARGEST_SMALL_FILE_BYTES) {
                    usage("need --min-bytes <= --max-bytes <= " + LARGEST_SMALL_FILE_BYTES);
                }
                summary = generateSmall(dir, files, option(options, "dirs", Math.max(1, files / 100)),
                        option(options, "seed", 2), (int) minBytes, (int) maxBytes);
                break;
            default:
                usage("unknown kind '" + args[0] + "'");
                return;
        }
        System.out.printf("%s in %.1f s%n", summary, (System.nanoTime() - startNanos) / 1e9);
    }

    private static Map<String, Long> parseOptions(String[] args) {
        Map<String, Long> options = new HashMap<>();
        for (int i = 2; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("expected --name VALUE, got '" + args[i] + "'");
            }
            try {
                long value = Long.parseLong(args[i + 1]);
                if (value < 0) {
                    throw new NumberFormatException();
                }
                options.put(args[i].substring(2), value);
            } catch (NumberFormatException e) {
                usage("option " + args[i] + " needs a non-negative integer, got '" + args[i + 1] + "'");
            }
        }
        return options;
    }

    private static long option(Map<String, Long> options, String name, long defaultValue) {
        return options.getOrDefault(name, defaultValue);
    }

    private static void usage(String problem) {
        System.err.println("GenerateTree: " + problem + ".\nUsage: java bench/GenerateTree.java big DIR"
                + " [--mib 1024] [--file-mib 64] [--seed 1]\n"
                + "       java bench/GenerateTree.java small DIR [--files 200000] [--dirs FILES/100] [--seed 2]"
                + " [--min-bytes 0] [--max-bytes 8192]");
        System.exit(2);
    }

    private static void checkEmptyOrAbsent(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> children = Files.list(dir)) {
                if (children.findAny().isPresent()) {
                    System.err.println("GenerateTree: " + dir + " is not empty; pass a new or empty directory.");
                    System.exit(1);
                }
            }
        }
        Files.createDirectories(dir);
    }

    private static String generateBig(Path dir, long mib, long fileMib, long seed) throws IOException {
        if (mib == 0 || fileMib == 0) {
            usage("--mib and --file-mib must be at least 1");
        }
        long fileCount = (mib + fileMib - 1) / fileMib;
        byte[] buffer = new byte[(int) MIB];
        for (int i = 0; i < fileCount; i++) {
            long fileBytes = Math.min(fileMib, mib - i * fileMib) * MIB;
            Path file = dir.resolve(String.format("big-%03d.bin", i));
            SplitMix64 content = SplitMix64.forFile(seed, i);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long written = 0; written < fileBytes; written += buffer.length) {
                    content.fill(buffer, buffer.length);
                    writeFully(out, buffer, buffer.length);
                }
            }
            Files.setLastModifiedTime(file, mtime(i));
        }
        Files.setLastModifiedTime(dir, mtime(0));
        return String.format("big: %d files, %d bytes (%d MiB)", fileCount, mib * MIB, mib);
    }

    private static String generateSmall(Path root, long fileCount, long dirCount, long seed, int minBytes,
            int maxBytes) throws IOException {
        SplitMix64 random = new SplitMix64(seed);
        Layout layout = Layout.random(random, (int) dirCount);
        long[] filesPerDir = spreadFiles(random, layout, fileCount);

        List<Path> dirs = new ArrayList<>();
        dirs.add(root);
        for (int d = 1; d <= dirCount; d++) {
            // Parents have smaller numbers, so they exist already. The number keeps sibling names unique.
            Path path = dirs.get(layout.parent[d]).resolve(name(random) + "-" + d);
            Files.createDirectory(path);
            dirs.add(path);
        }
        byte[] buffer = new byte[maxBytes];
        long fileNumber = 0;
        long totalBytes = 0;
        long largestDir = 0;
        for (int d = 0; d <= dirCount; d++) {
            largestDir = Math.max(largestDir, filesPerDir[d] + layout.childCount[d]);
            for (long k = 0; k < filesPerDir[d]; k++, fileNumber++) {
                // With the default sizes this draws exactly what earlier versions drew: same data sets.
                int size = minBytes + random.nextInt(maxBytes - minBytes + 1);
                String fileName = String.format("%s-%04d%s", name(random), k,
                        EXTENSIONS[random.nextInt(EXTENSIONS.length)]);
                Path file = dirs.get(d).resolve(fileName);
                SplitMix64.forFile(seed, fileNumber).fill(buffer, size);
                writeNew(file, buffer, size);
                Files.setLastModifiedTime(file, mtime(fileNumber));
                totalBytes += size;
            }
        }
        // Last: creating children changes a directory's mtime, so set the directories' own after all files.
        for (int d = 0; d <= dirCount; d++) {
            Files.setLastModifiedTime(dirs.get(d), mtime(fileCount + d));
        }
        return String.format("small: %d files, %d dirs (max depth %d, largest dir %d entries), %d bytes",
                fileCount, dirCount, layout.maxDepth(), largestDir, totalBytes);
    }

    private static void writeNew(Path file, byte[] bytes, int length) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(out, bytes, length);
        }
    }

    private static void writeFully(FileChannel out, byte[] bytes, int length) throws IOException {
        ByteBuffer chunk = ByteBuffer.wrap(bytes, 0, length);
        while (chunk.hasRemaining()) {
            out.write(chunk);
        }
    }

    /**
     * Files per directory: DIRS_PER_HEAVY_DIR-th of the directories (at least one, never the root) share
     * HEAVY_SHARE_PERCENT of the files evenly; the rest go to directories picked with log-normal weights, so most
     * directories hold a few files and some hold none, as in real folders.
     */
    private static long[] spreadFiles(SplitMix64 random, Layout layout, long fileCount) {
        int dirCount = layout.parent.length - 1;
        long[] filesPerDir = new long[dirCount + 1];
        long heavyFiles = 0;
        if (dirCount > 0) {
            int heavyCount = Math.max(1, dirCount / DIRS_PER_HEAVY_DIR);
            heavyFiles = fileCount * HEAVY_SHARE_PERCENT / 100;
            for (int h = 0; h < heavyCount; h++) {
                int d = 1 + random.nextInt(dirCount);
                filesPerDir[d] += heavyFiles / heavyCount + (h < heavyFiles % heavyCount ? 1 : 0);
            }
        }
        double[] cumulative = new double[dirCount + 1];
        double sum = 0;
        for (int d = 0; d <= dirCount; d++) {
            sum += Math.exp(1.5 * random.nextGaussian());
            cumulative[d] = sum;
        }
        for (long f = heavyFiles; f < fileCount; f++) {
            int d = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            filesPerDir[Math.min(dirCount, d < 0 ? -d - 1 : d)]++;
        }
        return filesPerDir;
    }

    private static String name(SplitMix64 random) {
        return random.nextInt(50) == 0
                ? ACCENTED[random.nextInt(ACCENTED.length)]
                : WORDS[random.nextInt(WORDS.length)];
    }

    private static FileTime mtime(long number) {
        long nanos = (number * 7_919_993L) % 1_000_000_000L;
        return FileTime.from(Instant.ofEpochSecond(BASE_EPOCH_SECONDS + number, nanos));
    }

    /** Directory tree shape: node 0 is the root, node d's parent has a smaller number. */
    private static final class Layout {
        final int[] parent;
        final int[] depth;
        final long[] childCount;

        private Layout(int dirCount) {
            parent = new int[dirCount + 1];
            depth = new int[dirCount + 1];
            childCount = new long[dirCount + 1];
        }

        /**
         * A random recursive tree biased towards early (shallow) parents, with anything deeper than MAX_DEPTH
         * moved up to its ancestor: at 2,000 directories this gives ~30 top-level directories and most
         * directories 4 to 6 levels down.
         */
        static Layout random(SplitMix64 random, int dirCount) {
            Layout layout = new Layout(dirCount);
            layout.parent[0] = -1;
            for (int d = 1; d <= dirCount; d++) {
                int p = (int) (d * Math.pow(random.nextDouble(), 1.3));
                while (layout.depth[p] >= MAX_DEPTH) {
                    p = layout.parent[p];
                }
                layout.parent[d] = p;
                layout.depth[d] = layout.depth[p] + 1;
                layout.childCount[p]++;
            }
            return layout;
        }

        int maxDepth() {
            int max = 0;
            for (int d : depth) {
                max = Math.max(max, d);
            }
            return max;
        }
    }

    /** SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified here, so output never varies by JDK. */
    private static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        /**
         * The stream of one file's bytes. Its start is one SplitMix64 output away from the (seed, file) pair: a start
         * of base + n * 0x9E37... alone would be file 0's stream shifted by n longs (SplitMix64 steps its state by
         * that constant), so every file would be a shifted copy of every other, and a tool that reuses chunks it has
         * (content-defined chunking) would skip most of them. Random starts on the 2^64 cycle never overlap here.
         */
        static SplitMix64 forFile(long seed, long fileNumber) {
            long base = new SplitMix64(seed ^ 0x5DEECE66DL).nextLong();
            return new SplitMix64(new SplitMix64(base + fileNumber * 0x9E3779B97F4A7C15L).nextLong());
        }

        long nextLong() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        int nextInt(int bound) {
            return (int) ((nextLong() >>> 1) % bound);
        }

        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }

        double nextGaussian() {
            // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
            return Math.sqrt(-2 * Math.log(1 - nextDouble())) * Math.cos(2 * Math.PI * nextDouble());
        }

        /** Fills bytes [0, length) with the next pseudo-random bytes (incompressible for gzip, zstd, ...). */
        void fill(byte[] bytes, int length) {
            ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            for (; i + Long.BYTES <= length; i += Long.BYTES) {
                view.putLong(i, nextLong());
            }
            for (long last = nextLong(); i < length; i++, last >>>= 8) {
                bytes[i] = (byte) last;
            }
        }
    }
}

package dev.mirror.sync;

import dev.mirror.core.Hash;
import dev.mirror.daemon.Folder;
import dev.mirror.scan.ChunkList;
import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FileInstaller;
import dev.mirror.testing.TestFolders;
import dev.mirror.tree.TreePath;
import dev.mirror.wire.WireHashes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.mirror.testing.TestFolders.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file whose earlier attempt left a part in {@code .mirror/tmp/} (docs/writing.md, "Resuming"): only the chunks
 * that do not hash right at their offsets are fetched, and whatever the part holds, only the right content is
 * installed.
 */
class ResumeTest {
    private static final byte[] BIG = TestFolders.randomBytes(11, 3_000_000);

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    private Folder a;
    private Folder b;
    private ChunkList chunks;
    private long[] offsets;

    @BeforeEach
    void open() throws IOException, InterruptedException {
        a = Folder.open(dirA, TestFolders.AHEAD, 2);
        b = Folder.open(dirB, TestFolders.AHEAD, 2);
        write(dirA, "big.bin", BIG);
        a.scan(new ScanProgress());
        b.scan(new ScanProgress());
        chunks = a.index().chunks(TreePath.of("big.bin"));
        assertTrue(chunks.count() >= 6, "the test needs six chunks, got " + chunks.count());
        offsets = new long[chunks.count()];
        for (int i = 1; i < chunks.count(); i++) {
            offsets[i] = offsets[i - 1] + chunks.length(i - 1);
        }
    }

    @AfterEach
    void close() throws IOException {
        a.close();
        b.close();
    }

    @Test
    void onlyTheTornWrongAndAbsentChunksOfAPartAreFetched() throws Exception {
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            Path part = installer.partPath(chunks.contentHash());
            writeChunk(part, 0, chunk(0));
            writeChunk(part, 1, Arrays.copyOf(chunk(1), chunk(1).length / 2)); // torn: half written
            // chunk 2: a hole (never written), which reads as zeros
            writeChunk(part, 3, chunk(3));
            byte[] wrong = chunk(4);
            wrong[wrong.length / 2] ^= 1;
            writeChunk(part, 4, wrong);
            writeChunk(part, 5, chunk(5)); // the rest: past the end of the part
            Set<Hash> asked = new HashSet<>();
            PullProgress progress = new PullProgress();

            PullRound.Outcome outcome = pull(installer, spy(asked), progress);

            assertEquals(0, outcome.deferred());
            assertArrayEquals(BIG, Files.readAllBytes(dirB.resolve("big.bin")));
            Set<Hash> expected = new HashSet<>();
            for (int i = 0; i < chunks.count(); i++) {
                if (i != 0 && i != 3 && i != 5) {
                    expected.add(chunks.hash(i));
                }
            }
            assertEquals(expected, asked);
            assertEquals(BIG.length - chunk(0).length - chunk(3).length - chunk(5).length, progress.receivedBytes());
            assertEquals(List.of(), tempFiles(), "the part became the file");
        }
    }

    @Test
    void aPartOfWrongBytesIsNeverInstalled() throws Exception {
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            byte[] garbage = TestFolders.randomBytes(12, BIG.length);
            Files.write(installer.partPath(chunks.contentHash()), garbage);
            PullProgress progress = new PullProgress();

            pull(installer, new ServedTree(new TreeServer(a.index(), a.path())), progress);

            assertArrayEquals(BIG, Files.readAllBytes(dirB.resolve("big.bin")));
            assertEquals(BIG.length, progress.receivedBytes());
        }
    }

    @Test
    void aWholePartLeftBySealingFetchesNothing() throws Exception {
        try (FileInstaller installer = FileInstaller.open(b.state(), b.clock())) {
            Path part = installer.partPath(chunks.contentHash());
            Files.write(part, BIG);
            Files.setPosixFilePermissions(part, Set.of()); // sealed with mode 0 by a run killed before the rename
            PullProgress progress = new PullProgress();

            pull(installer, new ServedTree(new TreeServer(a.index(), a.path())), progress);

            assertArrayEquals(BIG, Files.readAllBytes(dirB.resolve("big.bin")));
            assertEquals(0, progress.receivedBytes());
        }
    }

    @Test
    void partsSurviveARestartButOtherLeftoversAndUnwantedPartsGo() throws Exception {
        Path tmp = dirB.resolve(".mirror/tmp");
        try (FileInstaller first = FileInstaller.open(b.state(), b.clock())) {
            writeChunk(first.partPath(chunks.contentHash()), 0, chunk(0));
            write(tmp, Hash.sha256(new byte[] {1}).hex() + ".part", "a file nobody wants any more");
            write(tmp, "file-abc", "a half-made file under a fresh name");
        }

        try (FileInstaller second = FileInstaller.open(b.state(), b.clock())) {
            assertEquals(List.of(Hash.sha256(new byte[] {1}).hex() + ".part",
                    chunks.contentHash().hex() + ".part"), tempFiles().stream().sorted().toList());
            PullProgress progress = new PullProgress();

            pull(second, new ServedTree(new TreeServer(a.index(), a.path())), progress);

            assertEquals(BIG.length - chunk(0).length, progress.receivedBytes());
            assertEquals(List.of(), tempFiles());
        }
    }

    private ServedTree spy(Set<Hash> asked) {
        ServedTree served = new ServedTree(new TreeServer(a.index(), a.path()));
        served.tamperWithChunks(reply -> {
            reply.getChunksList().forEach(chunk -> asked.add(hash(chunk.getHash())));
            return reply;
        });
        return served;
    }

    private PullRound.Outcome pull(FileInstaller installer, ServedTree remote, PullProgress progress)
            throws Exception {
        return new PullRound(b.index(), b.path(), installer, new Reconciler(b.deviceId(), a.deviceId()), remote,
                progress).run(a.summary().treeHash());
    }

    private byte[] chunk(int i) {
        return Arrays.copyOfRange(BIG, (int) offsets[i], (int) offsets[i] + chunks.length(i));
    }

    private void writeChunk(Path part, int i, byte[] data) throws IOException {
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                out.write(buffer, offsets[i] + buffer.position());
            }
        }
    }

    private List<String> tempFiles() throws IOException {
        try (Stream<Path> list = Files.list(dirB.resolve(".mirror/tmp"))) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static Hash hash(com.google.protobuf.ByteString bytes) {
        try {
            return WireHashes.hash(bytes, "chunk hash");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.mirror.store;

import static dev.mirror.store.OnDisk.expectationOf;
import static dev.mirror.store.OnDisk.names;
import static dev.mirror.store.OnDisk.read;
import static dev.mirror.store.OnDisk.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.testing.HandClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kept versions as {@code mirror versions} lists them: their records, their order, and pruning to the last N. */
@Timeout(30)
class VersionHistoryTest {
    private static final Instant T0 = Instant.parse("2025-01-02T15:04:05.250Z");
    private static final DeviceId PEER = DeviceId.of(Hash.sha256("peer".getBytes(StandardCharsets.UTF_8)));

    @TempDir
    Path folder;

    private final HandClock clock = HandClock.at(T0);
    private FileInstaller installer;

    @AfterEach
    void close() throws IOException {
        if (installer != null) {
            installer.close();
        }
    }

    @Test
    void keptVersionRecordsWhenItsSizeAndTheDeviceWhoseChangeReplacedIt() throws IOException {
        open(5);
        Path file = Files.writeString(Files.createDirectories(folder.resolve("é/docs")).resolve("report.pdf"),
                "twelve bytes");
        installer.changesFrom(PEER);

        installer.install(stage(installer, "new", 0644), "é/docs/report.pdf", expectationOf(file));

        Path keptAs = folder.resolve(".mirror/versions/é/docs/report~20250102-150405.pdf");
        assertEquals(List.of(new KeptVersion(1, keptAs, T0, 12, Optional.of(PEER), false)), history("é/docs/report.pdf"));
        assertEquals("mirror-version-info 1\nreplaced 2025-01-02T15:04:05.250Z\nsize 12\ndevice " + PEER + "\n",
                read(folder.resolve(".mirror/version-info/é/docs/report~20250102-150405.pdf")));
    }

    @Test
    void deletedFileAndSymlinkAreListedWithUnknownDeviceWhenNoneWasGiven() throws IOException {
        open(5);
        Path file = Files.writeString(folder.resolve("notes"), "gone");
        Path link = Files.createSymbolicLink(folder.resolve("link"), Path.of("target"));

        installer.delete("notes", expectationOf(file));
        installer.delete("link", expectationOf(link));

        KeptVersion note = history("notes").get(0);
        assertEquals(Optional.empty(), note.replacedBy());
        assertEquals(4, note.size());
        assertTrue(history("link").get(0).symlink());
    }

    @Test
    void pruningKeepsExactlyTheNewestN() throws IOException {
        open(3);
        Path file = Files.writeString(folder.resolve("a.txt"), "v0");
        for (int i = 1; i <= 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            installer.install(stage(installer, "v" + i, 0644), "a.txt", expectationOf(file));
        }

        List<KeptVersion> versions = history("a.txt");

        assertEquals(List.of("v4", "v3", "v2"), contentsOf(versions));
        assertEquals(List.of(1, 2, 3), versions.stream().map(KeptVersion::number).toList());
        assertEquals(List.of("a~20250102-150408.txt", "a~20250102-150409.txt", "a~20250102-150410.txt"),
                names(folder.resolve(".mirror/version-info")), "the pruned versions' records go too");
    }

    @Test
    void pruningCountsEachPathApartAndKeepsSameSecondVersionsInOrder() throws IOException {
        open(2);
        Path file = Files.writeString(folder.resolve("a.txt"), "a0");
        Path other = Files.writeString(folder.resolve("a.txt.bak"), "b0");
        installer.install(stage(installer, "b1", 0644), "a.txt.bak", expectationOf(other));
        for (int i = 1; i <= 3; i++) { // all in the same second: numbered -2, -3
            installer.install(stage(installer, "a" + i, 0644), "a.txt", expectationOf(file));
        }

        assertEquals(List.of("a2", "a1"), contentsOf(history("a.txt")));
        assertEquals(List.of("b0"), contentsOf(history("a.txt.bak")));
    }

    @Test
    void versionWithoutARecordIsListedWithTheTimeInItsName() throws IOException {
        open(5);
        Path file = Files.writeString(folder.resolve("a.txt"), "old");
        installer.changesFrom(PEER);
        installer.install(stage(installer, "new", 0644), "a.txt", expectationOf(file));
        Path record = folder.resolve(".mirror/version-info/a~20250102-150405.txt");

        Files.delete(record);
        KeptVersion unrecorded = history("a.txt").get(0);
        Files.writeString(record, "mirror-version-info 1\nreplaced 2025-01-02T15:04:05.250Z\nsi");
        KeptVersion cut = history("a.txt").get(0);

        for (KeptVersion version : List.of(unrecorded, cut)) {
            assertEquals(Optional.empty(), version.replacedBy());
            assertEquals(Instant.parse("2025-01-02T15:04:05Z"), version.replaced());
            assertEquals(3, version.size());
        }
    }

    @Test
    void pathWithNoVersionsHasAnEmptyHistoryAndABadPathIsRefused() throws IOException {
        assertEquals(List.of(), history("never/kept.txt"));
        assertThrows(PathRejectedException.class, () -> history("../outside.txt"));
    }

    @Test
    void recordReadsBackAndRejectsAnythingElse() {
        VersionInfo info = new VersionInfo(T0, 7, Optional.of(PEER));

        assertEquals(Optional.of(info), VersionInfo.parse(info.format()));
        assertEquals(Optional.empty(), VersionInfo.parse(""));
        assertEquals(Optional.empty(), VersionInfo.parse(info.format().replace("size 7", "size seven")));
        assertEquals(Optional.empty(), VersionInfo.parse(info.format().replace(PEER.toString(), "NOTADEVICE")));
        assertEquals(Optional.empty(), VersionInfo.parse(info.format() + "extra\n"));
    }

    private void open(int keep) throws IOException {
        installer = FileInstaller.open(StateDirectory.open(folder), clock, keep);
    }

    private List<KeptVersion> history(String path) throws IOException {
        return VersionHistory.of(StateDirectory.open(folder), path, ZoneOffset.UTC);
    }

    private static List<String> contentsOf(List<KeptVersion> versions) throws IOException {
        List<String> contents = new ArrayList<>();
        for (KeptVersion version : versions) {
            contents.add(read(version.file()));
        }
        return contents;
    }

}

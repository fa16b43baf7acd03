package dev.mirror.scan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads lstat(2) facts through the JDK's "unix" attribute view. Stateless and thread-safe. */
public final class FileStats {
    private static final String ATTRIBUTES = "unix:mode,ino,ctime,size,lastModifiedTime";
    private static final int TYPE_MASK = 0170000;
    private static final int REGULAR = 0100000;
    private static final int DIRECTORY = 0040000;
    private static final int SYMLINK = 0120000;

    private FileStats() {
    }

    /** Stats {@code path} without following a final symlink; a symlink's target is read too. */
    public static FileStat read(Path path, String name) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attributes.get("mode");
        FileType type = typeOf(mode);
        String target = type == FileType.SYMLINK ? Files.readSymbolicLink(path).toString() : null;
        return new FileStat(name, type, (Long) attributes.get("size"),
                nanos((FileTime) attributes.get("lastModifiedTime")), mode & 07777, (Long) attributes.get("ino"),
                nanos((FileTime) attributes.get("ctime")), target);
    }

    private static FileType typeOf(int mode) {
        switch (mode & TYPE_MASK) {
            case REGULAR:
                return FileType.FILE;
            case DIRECTORY:
                return FileType.DIRECTORY;
            case SYMLINK:
                return FileType.SYMLINK;
            default:
                return FileType.OTHER;
        }
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }
}

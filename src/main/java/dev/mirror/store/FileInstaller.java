package dev.mirror.store;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Puts what a peer sent into the folder without losing or misplacing anything (docs/writing.md): every path passes
 * {@link NetworkPaths} before any file call; everything is made in {@code .mirror/tmp/} and renamed into place; what
 * is at the target must still match the caller's {@link Expectation} (else {@link TargetChangedException}, never an
 * overwrite); what is replaced or deleted is kept in {@code .mirror/versions/}; directories are fsynced after each
 * rename. All work in the folder goes through directory descriptors opened without following symlinks, so nothing
 * is ever written through a symlink.
 *
 * <p>One installer per folder, while its process holds the folder's {@link FolderLock}: opening deletes whatever is
 * in {@code .mirror/tmp/} but parts. Used by one thread at a time, with one exception: while a transfer runs, its
 * writer stages files ({@link #stage}, {@link #stagePart}, {@link #mayHavePart}) as the flush thread flushes and
 * installs those staged before; the state the two share (the parts held, the temp directory's handle) is
 * thread-safe, and a staged file passes from one to the other through the flush's hand-over. Linux only (it needs
 * the JDK's {@link SecureDirectoryStream}). Closing releases the directory handles; closing twice is safe.
 */
public final class FileInstaller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileInstaller.class);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path folder;
    private final SecureDirectoryStream<Path> root;
    private final TempDirectory temp;
    private final DirectoryWalker walker;
    private final KeptVersions versions;
    private final PartFiles parts;
    /** The permission bits a file made in {@code .mirror/tmp/} keeps of those asked for ({@link #bitsAfterCreation}). */
    private final int bitsKept;
    private boolean closed;
    private boolean deferDirectorySyncs;
    private boolean directoriesUnsynced;
    /** Changes whose directory fsync was deferred, counted: see {@link #changesMade}. */
    private final AtomicLong changesMade = new AtomicLong();
    /** How many of those were made before the last flush of the whole filesystem began that has ended. */
    private final AtomicLong changesDurable = new AtomicLong();
    /**
     * The directory the last file went into, kept open for the next install into the same directory: a batch of
     * received files mostly fills one directory after another, and walking down from the root again (a stat and an
     * openat per name) for each file costs more than the install itself. Dropped at every {@link #syncDirectories}
     * (before a round records what it did), by every delete or new directory, and after any failure, so a handle
     * lives only for a run of installs into one directory. Being a descriptor, it stays the directory it was when
     * opened, even if a symlink is swapped in at its path meanwhile.
     */
    private OpenParent openParent;
    /**
     * The folder and {@code .mirror/tmp/} by descriptor, for putting files where nothing is with the C library's
     * no-replace rename ({@link NativeDirectory}); null where it cannot be bound. The JDK's way stays for the rest.
     */
    private NativeDirectory nativeRoot;
    private NativeDirectory nativeTemp;
    /** As {@link #openParent}, for that way; kept and dropped with it. */
    private NativeParent nativeParent;
    /** Set once the file system turned down a no-replace rename: from then on, look first and rename. */
    private boolean noReplaceUnsupported;

    private FileInstaller(Path folder, SecureDirectoryStream<Path> root, TempDirectory temp, DirectoryWalker walker,
                          KeptVersions versions) {
        this.folder = folder;
        this.root = root;
        this.temp = temp;
        this.walker = walker;
        this.versions = versions;
        this.parts = new PartFiles(temp.path());
        this.bitsKept = bitsKept(temp);
    }

    /**
     * The permission bits a file made in {@code .mirror/tmp/} keeps of those asked for, found by making one with all
     * of them; {@link StagedFile#BITS_UNKNOWN} if that fails (every staged file then gets its mode set when sealed).
     */
    private static int bitsKept(TempDirectory temp) {
        try {
            Path probe = temp.create("probe-", candidate -> Files.createFile(candidate,
                    PosixFilePermissions.asFileAttribute(permissions(0777))));
            try {
                return permissionBits(modeOf(probe));
            } finally {
                Files.delete(probe);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot tell which permission bits new files in {} keep: {}", temp.path(), e.toString());
            return StagedFile.BITS_UNKNOWN;
        }
    }

    /**
     * Opens the installer of {@code state}'s folder, making {@code .mirror/tmp/}, {@code .mirror/versions/} and
     * {@code .mirror/version-info/} (owner-only) if missing and deleting what a killed run left in {@code tmp}; it
     * keeps the last {@link VersionHistory#DEFAULT_KEEP} versions of each path.
     *
     * @param clock names kept versions, in its time zone
     */
    public static FileInstaller open(StateDirectory state, Clock clock) throws IOException {
        return open(state, clock, VersionHistory.DEFAULT_KEEP);
    }

    /** As {@link #open(StateDirectory, Clock)}, keeping the last {@code keepVersions} (1 or more) of each path. */
    public static FileInstaller open(StateDirectory state, Clock clock, int keepVersions) throws IOException {
        Objects.requireNonNull(clock, "clock");
        Path folder = state.folder();
        SecureDirectoryStream<Path> root = openRoot(folder);
        SecureDirectoryStream<Path> mirror = null;
        SecureDirectoryStream<Path> tmp = null;
        SecureDirectoryStream<Path> versions = null;
        SecureDirectoryStream<Path> info = null;
        try {
            mirror = openPrivate(root, StateDirectory.NAME, state.path());
            tmp = openPrivate(mirror, TempDirectory.NAME, state.path().resolve(TempDirectory.NAME));
            versions = openPrivate(mirror, KeptVersions.NAME, state.path().resolve(KeptVersions.NAME));
            info = openPrivate(mirror, KeptVersions.INFO_NAME, state.path().resolve(KeptVersions.INFO_NAME));
            mirror.close();
            TempDirectory temp = new TempDirectory(state.path().resolve(TempDirectory.NAME), tmp);
            temp.deleteLeftovers();
            DirectoryWalker walker = new DirectoryWalker(temp);
            FileInstaller installer = new FileInstaller(folder, root, temp, walker, new KeptVersions(
                    state.path().resolve(KeptVersions.NAME), versions, info, temp, walker, clock, keepVersions));
            installer.openNative();
            return installer;
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable stream : Arrays.asList(info, versions, tmp, mirror, root)) {
                closeQuietly(stream, e);
            }
            throw e;
        }
    }

    /**
     * Opens the folder and {@code .mirror/tmp/} for {@link #placeNew}, where the C library's calls are bound; where
     * they are not, or the opening fails, every change takes the JDK's way.
     */
    private void openNative() {
        if (!NativeDirectory.isAvailable()) {
            return;
        }
        try {
            nativeRoot = NativeDirectory.open(folder);
            nativeTemp = nativeRoot.openBelow(List.of(StateDirectory.NAME, TempDirectory.NAME));
        } catch (IOException e) {
            LOG.debug("Installing through the JDK only: {}", e.getMessage());
        }
        if (nativeTemp == null && nativeRoot != null) {
            nativeRoot.close();
            nativeRoot = null;
        }
    }

    /** The bits of {@code mode} a received file gets: those in 0777 (see {@link #permissions}). */
    static int permissionBits(int mode) {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("a mode has no bits beyond 07777: " + Integer.toOctalString(mode));
        }
        return mode & 0777;
    }

    /**
     * The permission bits a file staged for content of mode {@code mode} is created with: its own, so that sealing it
     * need not change them (a chmod per file received, 0.16 CPU-s of a first mirror of 50,000 files, is one thing rsync
     * also spares itself), unless they keep its owner from reading or writing it, which the writer still does (it
     * reopens a big file for direct I/O, and a part is read back); those start owner-only. Nobody else can reach a
     * staged file before it is installed: {@code .mirror/} is the owner's alone.
     */
    static int creationBits(int mode) {
        int bits = permissionBits(mode);
        return (bits & 0600) == 0600 ? bits : 0600;
    }

    /**
     * The bits a file created in {@code .mirror/tmp/} with {@code creationBits} has, or
     * {@link StagedFile#BITS_UNKNOWN}: those the umask or the directory's default ACL leave it (both take away the
     * same bits whatever was asked for, so the probe made when the installer opened tells them for every mode).
     */
    int bitsAfterCreation(int creationBits) {
        return bitsKept == StagedFile.BITS_UNKNOWN ? StagedFile.BITS_UNKNOWN : creationBits & bitsKept;
    }

    void setTimesAndMode(Path staged, long mtimeNanos, int mode) throws IOException {
        setTimesAndMode(staged, mtimeNanos, mode, StagedFile.BITS_UNKNOWN);
    }

    /**
     * Gives the staged file at {@code staged} its mtime and permission bits (those only if {@code bitsNow}, what it
     * is known to have, differs; {@link StagedFile#BITS_UNKNOWN}: not known): relative to {@code .mirror/tmp/}'s descriptor
     * where the C library's calls are bound (one name to look up instead of the whole path, twice for every file
     * received: ~0.1 CPU-s of a first mirror of 50,000 files), else by path through the JDK.
     */
    void setTimesAndMode(Path staged, long mtimeNanos, int mode, int bitsNow) throws IOException {
        int bits = permissionBits(mode);
        boolean modeIsSet = bitsNow == bits;
        NativeDirectory tmp = nativeTemp;
        if (tmp != null && temp.path().equals(staged.getParent())) {
            tmp.setMtimeAndMode(staged.getFileName().toString(), mtimeNanos, modeIsSet ? -1 : bits);
            return;
        }
        // To the nanosecond (the JDK's descriptor-relative setTimes keeps only microseconds), and before the mode:
        // the JDK opens the file to set its times, which a mode like 0200 would forbid.
        FileTimes.setMtime(staged, mtimeNanos);
        if (!modeIsSet) {
            Files.setPosixFilePermissions(staged, permissions(mode));
        }
    }

    /** Installs only through the JDK's directory streams from now on, as where the C library is not bound (tests). */
    void withoutNativeCalls() {
        forgetParent();
        if (nativeRoot != null) {
            nativeTemp.close();
            nativeRoot.close();
            nativeTemp = null;
            nativeRoot = null;
        }
    }

    /**
     * The device whose changes the next calls carry out (the peer pulled from, or this device for a restore), recorded
     * with every version they keep; null: unknown.
     */
    public void changesFrom(DeviceId device) {
        versions.changesFrom(device);
    }

    /**
     * What is at {@code relativePath} now, read without following symlinks, to pass as the expectation of a change
     * that is not driven by the index (a restore). Nothing if a parent is missing or not a directory: the change
     * then fails naming it.
     */
    public Expectation current(String relativePath) throws IOException {
        String path = NetworkPaths.check(relativePath);
        Target target = Target.of(path);
        try (SecureDirectoryStream<Path> parent = walker.open(root, "", path, target.parents(), false)) {
            return DiskEntry.read(parent, folder.resolve(path).getParent(), target.name()).toExpectation();
        } catch (TargetChangedException e) {
            return Expectation.absent();
        }
    }

    /**
     * From now on, the directory fsyncs that follow each rename wait for {@link #syncDirectories}, which flushes them
     * all at once: for a batch of files, one flush instead of one or two fsyncs per file. Only where the whole
     * filesystem can be flushed ({@link FileSystemSync}); elsewhere every directory is still fsynced at once.
     */
    public void deferDirectorySyncs() {
        deferDirectorySyncs = FileSystemSync.isAvailable();
    }

    /**
     * Makes every rename since the last call durable (unless a flush of the whole filesystem that began after them
     * has, {@link #changesDurable}); call it before recording those renames anywhere.
     */
    public void syncDirectories() throws IOException {
        forgetParent();
        if (directoriesUnsynced) {
            if (!changesDurable(changesMade())) {
                syncWhole();
            }
            directoriesUnsynced = false;
        }
    }

    /**
     * How many changes whose directory fsync waits for {@link #syncDirectories} were made so far: once
     * {@link #changesDurable} says that many are durable, the renames they were are, whichever thread's flush of the
     * whole filesystem made them so (a group's {@link #flush} on another thread does, if it began after them).
     */
    public long changesMade() {
        return changesMade.get();
    }

    /** Whether the first {@code made} changes counted by {@link #changesMade} are durable. */
    public boolean changesDurable(long made) {
        return changesDurable.get() >= made;
    }

    /**
     * Writes the contents of files sealed with {@link StagedFile#sealWithoutSync} to disk, all at once where the
     * filesystem can be flushed whole, else one fsync each. Changes no state, so a background thread may call it
     * while this installer's thread goes on; that thread then calls {@link #markDurable} (or, after a failure,
     * closes the files: an fsync error is final). Only then may they be installed.
     */
    public void flush(List<StagedFile> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        if (FileSystemSync.isAvailable()) {
            syncWhole();
        } else {
            for (StagedFile file : files) {
                file.forceNow();
            }
        }
    }

    /** Flushes the whole filesystem, and with it every change counted so far: syncfs covers what came before it. */
    private void syncWhole() throws IOException {
        long made = changesMade.get();
        FileSystemSync.sync(folder);
        changesDurable.accumulateAndGet(made, Math::max);
    }

    /** After a {@link #flush} of {@code files} that succeeded: they may now be installed. */
    public void markDurable(List<StagedFile> files) {
        for (StagedFile file : files) {
            file.markDurable();
        }
    }

    /** A new, empty file in {@code .mirror/tmp/} (owner-only until sealed) for the caller to write. */
    public StagedFile stage() throws IOException {
        return stage(0600);
    }

    /**
     * A file for content {@code content} that survives a failed attempt: its part in {@code .mirror/tmp/}, perhaps
     * holding chunks from an earlier attempt (verify each against its hash before trusting it), or a fresh empty file
     * if that part is held by another staged file now. Compare {@link StagedFile#path()} with {@link #partPath}. A new
     * part is created with the {@link #creationBits} of {@code mode}, the mode it is to be sealed with.
     */
    public StagedFile stagePart(Hash content, int mode) throws IOException {
        StagedFile part = parts.open(this, content, creationBits(mode));
        return part != null ? part : stage(mode);
    }

    /**
     * A new, empty file in {@code .mirror/tmp/} under a fresh name, made with the {@link #creationBits} of
     * {@code mode}, the mode it is to be sealed with: for content that arrives whole in one reply, which a later
     * attempt would fetch whole again rather than resume. Its short name is cheaper for the file system than a
     * part's 69 characters: making and renaming 50,000 files in a C test took ext4 ~6% less system time with names
     * like these (2.28 against 2.43 s).
     */
    public StagedFile stage(int mode) throws IOException {
        int bits = creationBits(mode);
        return temp.create("file-", candidate -> new StagedFile(this, candidate, FileChannel.open(candidate,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(permissions(bits))), null, bitsAfterCreation(bits)));
    }

    /** Whether {@code content} may have a part in {@code .mirror/tmp/}: false only if it surely has none. */
    public boolean mayHavePart(Hash content) {
        return parts.mayExist(content);
    }

    /** Where the part of {@code content} is, if there is one. */
    public Path partPath(Hash content) {
        return parts.path(content);
    }

    /**
     * Deletes the parts of content not in {@code wanted}: nothing will resume them. {@code wanted} is called only if
     * {@code .mirror/tmp/} holds a part that is not being written now.
     */
    public void deletePartsExcept(Supplier<Set<Hash>> wanted) throws IOException {
        parts.deleteExcept(wanted);
    }

    /**
     * Renames the sealed {@code staged} file to {@code relativePath}, making missing parent directories if
     * {@code current} is absent. Whatever was there moves to {@code .mirror/versions/}. A failed check leaves
     * {@code staged} as it was, so it can go elsewhere (a conflict copy). If the final directory fsync fails, the
     * file is in place but perhaps not durably: do not record it; the next scan will see what is there.
     *
     * @param current what the index says is there now: nothing, a file or a symlink (delete a directory first)
     * @throws PathRejectedException if the path breaks a rule or a parent directory is a symlink
     * @throws TargetChangedException if the target or a parent is not as expected: a conflict
     */
    public Installed install(StagedFile staged, String relativePath, Expectation current) throws IOException {
        String path = NetworkPaths.check(relativePath);
        requireReplaceable(current, path);
        return replace(staged.sealedName(this), path, current, staged::markInstalled);
    }

    /**
     * Moves the file at {@code fromPath}, which must still be {@code from}, to {@code toPath}, where nothing may be:
     * how a peer's rename is carried out here, with neither a copy nor a kept version (the content lives on at the new
     * name). The file goes by way of its part in {@code .mirror/tmp/} (its content hash is {@code content}): there it
     * gets {@code mtimeNanos} and {@code mode} by path, as a received file is sealed, and from there it is installed
     * like one. A crash on the way leaves it as a whole part, which the next attempt at that content takes without
     * fetching anything.
     *
     * @throws TargetChangedException if the source is not as expected, a part of that content exists, or something is
     *         at the target; nothing was moved, unless only the target was taken: then the file waits as a part
     */
    public Installed move(String fromPath, Expectation from, String toPath, Hash content, long mtimeNanos, int mode)
            throws IOException {
        String source = NetworkPaths.check(fromPath);
        String path = NetworkPaths.check(toPath);
        requireReplaceable(Expectation.absent(), path);
        forgetParent();
        Target src = Target.of(source);
        Path part = parts.path(content);
        String partName = part.getFileName().toString();
        try (SecureDirectoryStream<Path> parent = walker.open(root, "", source, src.parents(), false)) {
            requireMatch(source, from, DiskEntry.read(parent, folder.resolve(source).getParent(), src.name()));
            if (DiskEntry.kind(temp.stream(), partName) != DiskEntry.Kind.ABSENT) {
                throw new TargetChangedException(source, "a part of the same content is being received");
            }
            parent.move(Path.of(src.name()), temp.stream(), Path.of(partName));
            syncDirectory(parent);
        }
        setTimesAndMode(part, mtimeNanos, mode);
        return replace(partName, path, Expectation.absent(), () -> { });
    }

    /**
     * Makes a symlink at {@code relativePath} pointing to {@code target}, as {@link #install} does a file: made in
     * {@code .mirror/tmp/}, checked against {@code current}, renamed into place. The target is stored, never
     * followed; it may point anywhere.
     */
    public Installed createSymlink(String relativePath, String target, Expectation current) throws IOException {
        String path = NetworkPaths.check(relativePath);
        NetworkPaths.checkSymlinkTarget(path, target);
        requireReplaceable(current, path);
        Path made = temp.create("link-", candidate -> Files.createSymbolicLink(candidate, Path.of(target)));
        try {
            return replace(made.getFileName().toString(), path, current, () -> { });
        } catch (IOException | RuntimeException e) {
            temp.deleteQuietly(made.getFileName().toString(), e);
            throw e;
        }
    }

    /**
     * Makes sure a directory with permission bits {@code mode} (only 0777 apply) is at {@code relativePath}, making
     * it and missing parents if needed. Doing it again changes nothing. Set a mode without owner write or execute
     * only once the directory's contents are in place.
     *
     * @throws TargetChangedException if something other than a directory is there
     */
    public void createDirectory(String relativePath, int mode) throws IOException {
        forgetParent();
        String path = NetworkPaths.check(relativePath);
        Set<PosixFilePermission> permissions = permissions(mode);
        Target target = Target.of(path);
        try (SecureDirectoryStream<Path> parent = walker.open(root, "", path, target.parents(), true)) {
            if (DiskEntry.kind(parent, target.name()) == DiskEntry.Kind.ABSENT
                    && walker.makeDirectory(parent, target.name(), mode)) {
                syncDirectory(parent);
                return;
            }
            DiskEntry found = DiskEntry.read(parent, folder.resolve(path).getParent(), target.name());
            if (found.kind() != DiskEntry.Kind.DIRECTORY) {
                throw new TargetChangedException(path, "expected nothing or a directory, found " + found.describe());
            }
            // Through the descriptor with O_NOFOLLOW: a symlink swapped in since the look above fails (ELOOP).
            parent.getFileAttributeView(Path.of(target.name()), PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setPermissions(permissions);
        }
    }

    /**
     * Deletes what is at {@code relativePath} if it is {@code current}: a file or symlink moves to
     * {@code .mirror/versions/}; a directory must be empty and is removed.
     *
     * @return where the deleted file or symlink was kept; empty for a directory
     * @throws TargetChangedException if what is there is not {@code current} (a directory: not empty)
     */
    public Optional<Path> delete(String relativePath, Expectation current) throws IOException {
        forgetParent();
        String path = NetworkPaths.check(relativePath);
        if (current == Expectation.absent()) {
            throw new IllegalArgumentException("nothing to delete at " + path);
        }
        Target target = Target.of(path);
        try (SecureDirectoryStream<Path> parent = walker.open(root, "", path, target.parents(), false)) {
            requireMatch(path, current, DiskEntry.read(parent, folder.resolve(path).getParent(), target.name()));
            if (current == Expectation.directory()) {
                try {
                    // RACE: an entry added since the check makes rmdir fail: nothing is lost.
                    parent.deleteDirectory(Path.of(target.name()));
                } catch (DirectoryNotEmptyException e) {
                    throw new TargetChangedException(path, "expected an empty directory, found entries in it");
                }
                syncDirectory(parent);
                return Optional.empty();
            }
            try (SecureDirectoryStream<Path> kept = versions.openFor(path, target.parents())) {
                Path keptPath = versions.keep(parent, target.name(), kept, path);
                syncDirectory(parent);
                syncDirectory(kept);
                return Optional.of(keptPath);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        forgetParent();
        IOException failure = new IOException("Cannot close the installer of " + folder + ".");
        closeQuietly(versions, failure);
        closeQuietly(temp, failure);
        closeQuietly(nativeTemp, failure);
        closeQuietly(nativeRoot, failure);
        closeQuietly(root, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    /** The permission bits of {@code mode} (07777 at most); setuid, setgid and sticky are dropped. */
    static Set<PosixFilePermission> permissions(int mode) {
        permissionBits(mode);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ first: bit 0400.
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    /** The mode bits (07777) of what is at {@code path}, not followed if a symlink. */
    static int modeOf(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static SecureDirectoryStream<Path> openRoot(Path folder) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(folder);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new FolderException("Cannot write safely into " + folder + ": this Java has no descriptor-relative "
                + "file operations (SecureDirectoryStream) here; run mirror on Linux.");
    }

    /** Opens (making it owner-only if missing) the directory {@code name} of {@code parent}, never a symlink. */
    private static SecureDirectoryStream<Path> openPrivate(SecureDirectoryStream<Path> parent, String name, Path path)
            throws IOException {
        try {
            Files.createDirectory(path, OWNER_ONLY_DIRECTORY);
        } catch (FileAlreadyExistsException e) {
            // Checked below, through the descriptor.
        }
        if (DiskEntry.kind(parent, name) != DiskEntry.Kind.DIRECTORY) {
            throw new FolderException(path + " exists but is not a directory; move it away.");
        }
        return parent.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
    }

    private static void requireReplaceable(Expectation current, String path) {
        if (current == Expectation.directory()) {
            throw new IllegalArgumentException("cannot replace the directory " + path + "; delete it first");
        }
    }

    /**
     * The steps of install, in order (docs/writing.md): open the parent, check the target, keep what is there,
     * rename {@code made} from {@code .mirror/tmp/} into place, fsync both directories.
     */
    private Installed replace(String made, String path, Expectation current, Runnable placed) throws IOException {
        if (current == Expectation.absent()) {
            Installed installed = placeNew(made, path, placed);
            if (installed != null) {
                return installed;
            }
        }
        boolean kept = openParent != null && openParent.names().equals(Target.of(path).parents());
        try {
            return replaceIn(made, path, current, placed);
        } catch (NoSuchFileException e) {
            if (!kept) {
                throw e;
            }
            // The directory kept open since the last install was deleted meanwhile (the failed attempt forgot it):
            // walk down again, once, as a first install there would have.
            return replaceIn(made, path, current, placed);
        }
    }

    private Installed replaceIn(String made, String path, Expectation current, Runnable placed) throws IOException {
        Target target = Target.of(path);
        Path parentPath = folder.resolve(path).getParent();
        boolean done = false;
        try {
            SecureDirectoryStream<Path> parent = parentOf(path, target, current == Expectation.absent());
            DiskEntry found = DiskEntry.read(parent, parentPath, target.name());
            requireMatch(path, current, found);
            Installed installed;
            if (found.kind() == DiskEntry.Kind.ABSENT) {
                moveIntoPlace(made, parent, target.name(), placed);
                syncDirectory(parent);
                installed = new Installed(DiskEntry.read(parent, parentPath, target.name()).toExpectation(),
                        Optional.empty());
            } else {
                try (SecureDirectoryStream<Path> kept = versions.openFor(path, target.parents())) {
                    Path keptPath = versions.keep(parent, target.name(), kept, path);
                    // A crash from here to the next rename leaves the target missing, the old version kept and the
                    // new one in tmp (docs/writing.md, "Crashes").
                    moveIntoPlace(made, parent, target.name(), placed);
                    syncDirectory(parent);
                    syncDirectory(kept);
                    installed = new Installed(DiskEntry.read(parent, parentPath, target.name()).toExpectation(),
                            Optional.of(keptPath));
                }
            }
            done = true;
            return installed;
        } finally {
            if (!done) {
                forgetParent();
            }
        }
    }

    /**
     * Renames {@code made} from {@code .mirror/tmp/} to {@code path}, where nothing may be, by descriptor with the C
     * library's no-replace rename: something there (a file the user just made) makes it fail, with nothing moved,
     * where a look and then a plain rename would replace what appeared between the two. Then one statx of the result.
     *
     * @return null if this way is closed here (no binding, a file system that cannot refuse, or a parent directory
     *         missing, a symlink or not a directory): the caller takes the JDK's way, which makes missing parents
     *         or says what is wrong
     * @throws TargetChangedException if something is at {@code path}
     */
    private Installed placeNew(String made, String path, Runnable placed) throws IOException {
        if (nativeTemp == null || noReplaceUnsupported) {
            return null;
        }
        Target target = Target.of(path);
        try {
            NativeDirectory parent = nativeParentOf(target.parents());
            if (parent == null) {
                return null;
            }
            NativeDirectory.Renamed renamed;
            try {
                renamed = nativeTemp.renameNoReplace(made, parent, target.name());
            } catch (NoSuchFileException e) {
                // The directory kept open was deleted meanwhile: the JDK's way walks down again and makes it.
                forgetParent();
                return null;
            }
            if (renamed == NativeDirectory.Renamed.UNSUPPORTED) {
                noReplaceUnsupported = true;
                LOG.debug("The file system of {} cannot refuse a rename onto a name: looking first", folder);
                return null;
            }
            if (renamed == NativeDirectory.Renamed.TAKEN) {
                DiskEntry found = parent.stat(target.name());
                throw new TargetChangedException(path, "expected nothing, found "
                        + (found.kind() == DiskEntry.Kind.ABSENT ? "an entry, gone again since" : found.describe()));
            }
            placed.run();
            if (!syncDeferred()) {
                parent.sync();
            }
            return new Installed(parent.stat(target.name()).toExpectation(), Optional.empty());
        } catch (IOException | RuntimeException e) {
            forgetParent();
            throw e;
        }
    }

    /** The directory {@code parents} by descriptor: the one kept from the last install, or opened now; or null. */
    private NativeDirectory nativeParentOf(List<String> parents) throws IOException {
        if (nativeParent != null && nativeParent.names().equals(parents)) {
            return nativeParent.dir();
        }
        forgetNativeParent();
        NativeDirectory dir = nativeRoot.openBelow(parents);
        if (dir != null) {
            nativeParent = new NativeParent(parents, dir);
        }
        return dir;
    }

    /** The open directory {@code target.parents()}: the one kept from the last install, or walked down to now. */
    private SecureDirectoryStream<Path> parentOf(String path, Target target, boolean makeParents) throws IOException {
        if (openParent != null && openParent.names().equals(target.parents())) {
            return openParent.stream();
        }
        forgetOpenParent();
        openParent = new OpenParent(target.parents(), walker.open(root, "", path, target.parents(), makeParents));
        return openParent.stream();
    }

    private void forgetParent() {
        forgetOpenParent();
        forgetNativeParent();
    }

    private void forgetNativeParent() {
        if (nativeParent != null) {
            nativeParent.dir().close();
            nativeParent = null;
        }
    }

    private void forgetOpenParent() {
        if (openParent != null) {
            SecureDirectoryStream<Path> stream = openParent.stream();
            openParent = null;
            try {
                stream.close();
            } catch (IOException e) {
                LOG.debug("Closing a directory handle failed: {}", e.toString());
            }
        }
    }

    private record OpenParent(List<String> names, SecureDirectoryStream<Path> stream) {
    }

    private record NativeParent(List<String> names, NativeDirectory dir) {
    }

    private static void requireMatch(String path, Expectation current, DiskEntry found)
            throws TargetChangedException {
        if (!found.matches(current)) {
            throw new TargetChangedException(path, "expected " + current.describe() + ", found " + found.describe());
        }
    }

    private void moveIntoPlace(String made, SecureDirectoryStream<Path> parent, String name, Runnable placed)
            throws IOException {
        // RACE: renameat replaces whatever is at `name`, and the JDK offers no RENAME_NOREPLACE (placeNew uses the C
        // library's where nothing was at the name). Here, after keeping the replaced version, or where that rename
        // is not to be had, worst outcome: a file the user creates at this very name between the check (or the
        // keep) and here is lost. A directory made there is safe: renaming a file over it fails.
        temp.stream().move(Path.of(made), parent, Path.of(name));
        placed.run();
    }

    private void syncDirectory(SecureDirectoryStream<Path> dir) throws IOException {
        if (!syncDeferred()) {
            DirectoryWalker.sync(dir);
        }
    }

    /** Whether the fsync of a directory just renamed into waits for {@link #syncDirectories}; if so, it is due. */
    private boolean syncDeferred() {
        if (deferDirectorySyncs) {
            directoriesUnsynced = true;
            changesMade.incrementAndGet();
        }
        return deferDirectorySyncs;
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable cause) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    /** A checked path split into its parent directories' names and its own name. */
    private record Target(List<String> parents, String name) {
        static Target of(String path) {
            List<String> names = List.of(path.split("/"));
            return new Target(names.subList(0, names.size() - 1), names.get(names.size() - 1));
        }
    }
}

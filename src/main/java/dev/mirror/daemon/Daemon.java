package dev.mirror.daemon;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.core.NamedThreadFactory;
import dev.mirror.identity.Invite;
import dev.mirror.identity.InviteBook;
import dev.mirror.identity.PeerAddress;
import dev.mirror.scan.ScanProgress;
import dev.mirror.store.FileInstaller;
import dev.mirror.store.FolderGoneException;
import dev.mirror.sync.LinkedTree;
import dev.mirror.sync.PullRound;
import dev.mirror.sync.Reconciler;
import dev.mirror.sync.TreeServer;
import dev.mirror.tree.TreeParams;
import dev.mirror.tree.TreeSummary;
import dev.mirror.watch.ChangeSet;
import dev.mirror.watch.FolderWatcher;
import dev.mirror.watch.WatchSettings;
import dev.mirror.wire.HelloCheck;
import dev.mirror.wire.Link;
import dev.mirror.wire.PeerTrust;
import dev.mirror.wire.ProtocolException;
import dev.mirror.wire.TlsContexts;
import dev.mirror.wire.proto.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running peer of one folder (docs/daemon.md): listens for paired devices, dials the ones it knows an address
 * for, rescans the folder periodically, and pulls from every linked peer whose root differs from ours. Everything
 * that writes to the folder or its index — scans and pull rounds — runs on one thread, the sync thread, so they
 * never race each other; links and the control socket only read. Closing stops it all and releases the folder.
 */
public final class Daemon implements AutoCloseable {
    /** The port mirror listens on unless told otherwise (docs/daemon.md). */
    public static final int DEFAULT_PORT = 7733;
    /** Every peer mirrors one folder; the ID is fixed until a peer can mirror several. */
    static final String FOLDER_ID = "default";
    static final Duration TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration READ_IDLE = Duration.ofSeconds(90);
    static final Duration WRITE_IDLE = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final Folder folder;
    private final DaemonOptions options;
    private final PeerBook peers;
    private final InviteBook invites;
    private final TreeServer server;
    private final ScheduledExecutorService syncThread;
    private final ExecutorService servePool;
    private final Sockets sockets;
    private final Map<DeviceId, PeerState> states = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Hash root;
    private volatile TreeSummary summary;
    private FileInstaller installer;
    private PeerAddress bound;
    private ControlServer control;
    private final SyncWaits syncWaits = new SyncWaits(this::status);
    private volatile FolderWatcher watcher;
    private volatile boolean closing;
    private final AtomicBoolean closeOnce = new AtomicBoolean();
    private volatile String stopReason;

    private Daemon(Folder folder, DaemonOptions options, PeerBook peers) {
        this.folder = folder;
        this.options = options;
        this.peers = peers;
        this.invites = new InviteBook(folder.clock(), InviteBook.DEFAULT_LIFETIME);
        this.server = new TreeServer(folder.index(), folder.path());
        this.syncThread = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("mirror-sync"));
        this.servePool = Executors.newFixedThreadPool(2, new NamedThreadFactory("mirror-serve"));
        this.sockets = new Sockets(folder.identity(), dialed -> new PeerSession(this, dialed));
    }

    /**
     * Opens {@code folder} (already opened and locked by the caller, handed over), scans it, listens, starts the
     * control socket and dials every paired peer with an address; {@code join}, if given, is dialed too and paired.
     */
    public static Daemon start(Folder folder, DaemonOptions options, Optional<Invite> join)
            throws IOException, InterruptedException {
        Daemon daemon = new Daemon(folder, options, PeerBook.load(folder.state().path()));
        try {
            daemon.startUp(join);
            return daemon;
        } catch (IOException | InterruptedException | RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private void startUp(Optional<Invite> join) throws IOException, InterruptedException {
        installer = FileInstaller.open(folder.state(), folder.clock(), options.keepVersions());
        TreeSummary scanned = folder.scan(new ScanProgress()).summary();
        setSummary(scanned);
        watcher = FolderWatcher.start(folder.path(), folder::isWatchable,
                WatchSettings.withFallback(options.fallbackScanInterval()), syncThread, this::changed);
        for (String notice : folder.notices()) {
            LOG.warn(notice);
        }
        bound = sockets.listen(options.listen(), options.anyPortWillDo(), TlsContexts.server(folder.identity(),
                new PeerTrust(device -> peers.isPaired(device) || invites.hasOutstanding())));
        LOG.info("Listening on {} as {}", bound.format(), folder.deviceId());
        control = ControlServer.start(folder.state().path(),
                new ControlCommands(this, syncThread, this::restoreWork, syncWaits)::answer);
        for (Map.Entry<DeviceId, Optional<PeerAddress>> peer : peers.all().entrySet()) {
            peer.getValue().ifPresent(address -> state(peer.getKey()).address = address);
        }
        join.ifPresent(invite -> {
            PeerState state = state(invite.inviter());
            state.address = invite.address();
            state.pairingSecret = invite.secret();
        });
        for (PeerState state : states.values()) {
            if (state.address != null) {
                dial(state);
            }
        }
        long every = options.rescanInterval().toMillis();
        syncThread.scheduleWithFixedDelay(this::rescan, every, every, TimeUnit.MILLISECONDS);
    }

    /** Where this peer listens, as bound (the real port when 0 was asked for). */
    public PeerAddress boundAddress() {
        return bound;
    }

    public DeviceId deviceId() {
        return folder.deviceId();
    }

    /** A fresh one-time invite to this peer, at an address a peer can reach. */
    public Invite invite() {
        return new Invite(InviteAddress.of(bound, options), folder.deviceId(), invites.issue());
    }

    /** Our root now. */
    public Hash root() {
        return root;
    }

    /** What {@code mirror status} shows, as of now. */
    public StatusReport status() {
        List<StatusReport.PeerStatus> list = new ArrayList<>();
        for (PeerState state : states.values()) {
            if (peers.isPaired(state.device)) {
                list.add(state.status(root));
            }
        }
        FolderWatcher watching = watcher;
        return new StatusReport(folder.deviceId(), summary, true, watching != null && watching.isWatching(), bound,
                list);
    }

    /** Why the daemon stopped by itself (not asked to), if it did. */
    public Optional<String> stopReason() {
        return Optional.ofNullable(stopReason);
    }

    /** Blocks until the daemon is closed. */
    public void awaitClosed() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!closeOnce.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        try {
            syncWaits.close();
            if (control != null) {
                control.close();
            }
            if (watcher != null) {
                watcher.close();
            }
            sockets.close();
            syncThread.shutdownNow();
            servePool.shutdownNow();
            syncThread.awaitTermination(30, TimeUnit.SECONDS);
            servePool.awaitTermination(30, TimeUnit.SECONDS);
            if (installer != null) {
                installer.close();
            }
            folder.close();
        } catch (IOException e) {
            LOG.warn("Stopping: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    // ---- Links ---------------------------------------------------------------------------------------------------

    private void dial(PeerState state) {
        if (closing || state.dialing || state.link != null) {
            return;
        }
        state.dialing = true;
        state.nextRetry = null;
        sockets.dial(state, state.device, () -> {
            state.dialing = false;
            retryLater(state);
        });
    }

    private void retryLater(PeerState state) {
        if (closing || state.address == null || state.link != null) {
            return;
        }
        Duration delay;
        synchronized (state) {
            delay = state.backoff.next();
        }
        state.nextRetry = folder.clock().instant().plus(delay);
        syncThread.schedule(() -> dial(state), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    PeerState state(DeviceId device) {
        return states.computeIfAbsent(device, PeerState::new);
    }

    HelloCheck helloCheck(PeerState dialed) {
        DeviceId expected = dialed == null ? null : dialed.device;
        // The device we dialed was proved by TLS against the ID we expected (from the invite or the peer book).
        return new HelloCheck(FOLDER_ID, folder.index().params(),
                device -> peers.isPaired(device) || device.equals(expected), invites);
    }

    TreeServer server() {
        return server;
    }

    ExecutorService servePool() {
        return servePool;
    }

    DeviceId self() {
        return folder.deviceId();
    }

    TreeParams params() {
        return folder.index().params();
    }

    /**
     * A link passed both Hellos: pin the device (unless we are joining it: see {@link #rootChanged}), keep one link
     * per device, and pull if the roots differ.
     */
    void opened(PeerSession session, Link link, Hash peerRoot) {
        DeviceId device = link.peer();
        PeerState state = state(device);
        boolean accepted = session.dialed() == null;
        // A joiner accepts the inviter's Hello before the inviter has checked the joiner's secret: pinning the inviter
        // now would pair a joiner that is about to be refused. It waits for the inviter's first announcement instead.
        if (accepted || peers.isPaired(device)) {
            pin(device, accepted ? Optional.empty() : Optional.ofNullable(state.address));
        }
        synchronized (state) {
            if (!state.adopt(link, accepted ? device : self(), self())) {
                return;
            }
            state.backoff.reset();
            state.nextRetry = null;
            state.lastSeen = folder.clock().instant();
            state.peerRoot = peerRoot;
        }
        syncWaits.recheck();
        LOG.info("Linked with {} at {}", device, link.remoteAddress());
        if (accepted) {
            // Sent only after we checked the dialer's Hello: for a joiner, the sign that it may pin us.
            link.announce(root);
        }
        schedulePull(state);
    }

    void rootChanged(Link link, Hash peerRoot) {
        PeerState state = state(link.peer());
        if (state.link != link) {
            return;
        }
        if (!peers.isPaired(link.peer())) {
            // The inviter we joined announces only once it has accepted our secret (see opened).
            pin(link.peer(), Optional.ofNullable(state.address));
            state.pairingSecret = null;
        }
        state.peerRoot = peerRoot;
        state.lastSeen = folder.clock().instant();
        syncWaits.recheck();
        schedulePull(state);
    }

    private void pin(DeviceId device, Optional<PeerAddress> address) {
        try {
            peers.pair(device, address);
        } catch (IOException e) {
            LOG.warn("Cannot remember {} as paired: {}", device.shortForm(), e.getMessage());
        }
    }

    /**
     * A peer we dialed with an invite turned the invite down (used, expired or forged): dialing again cannot help, so
     * stop dialing it. A joiner paired with nobody else has nothing left to do and stops, saying why.
     */
    void refusedBy(PeerSession session, Link link, Failure failure) {
        PeerState state = session.dialed();
        if (state == null || state.pairingSecret == null || failure.getCode() != Failure.Code.NOT_PAIRED
                || peers.isPaired(link.peer())) {
            return;
        }
        state.pairingSecret = null;
        state.address = null;
        String reason = "The peer " + link.peer().shortForm() + " refused the invite: " + failure.getMessage()
                + ". Ask for a new invite line there with 'mirror invite'.";
        LOG.error(reason);
        if (peers.all().isEmpty()) {
            stopBecause(reason);
        }
    }

    /** Stops the daemon by itself; {@link #stopReason} tells why. Safe from any thread, the sync thread included. */
    private void stopBecause(String reason) {
        stopReason = reason;
        // Not on the calling thread: closing waits for the sync thread and the event loops to finish.
        new NamedThreadFactory("mirror-stop").newThread(this::close).start();
    }

    void closed(Link link) {
        PeerState state = state(link.peer());
        synchronized (state) {
            if (state.link != link) {
                return;
            }
            state.link = null;
            state.bytesInBefore += link.bytesIn();
            state.bytesOutBefore += link.bytesOut();
            state.lastSeen = folder.clock().instant();
        }
        syncWaits.recheck();
        LOG.info("Link with {} closed", link.peer().shortForm());
        if (!state.dialing) {
            retryLater(state);
        }
    }

    // ---- The sync thread -----------------------------------------------------------------------------------------

    private void schedulePull(PeerState state) {
        synchronized (state) {
            if (state.pullQueued || closing) {
                return;
            }
            state.pullQueued = true;
        }
        syncThread.execute(() -> pull(state));
    }

    private void pull(PeerState state) {
        Link link;
        Hash peerRoot;
        synchronized (state) {
            state.pullQueued = false;
            link = state.link;
            peerRoot = state.peerRoot;
        }
        if (link == null || !link.isOpen() || peerRoot == null || peerRoot.equals(root)) {
            return;
        }
        state.pulling = true;
        try {
            folder.checkPresent();
            installer.changesFrom(link.peer()); // what this round replaces or deletes, it does for that peer
            PullRound.Outcome outcome = new PullRound(folder.index(), folder.path(), installer,
                    new Reconciler(self(), link.peer()), new LinkedTree(link), state.progress).run(peerRoot);
            LOG.debug("Pulled from {}: {}", link.peer().shortForm(), outcome);
            state.retry = outcome.deferred() > 0;
            afterIndexChange();
            if (state.retry) {
                // Something changed meanwhile, here (the watcher re-indexes it) or on the peer (it announces a new
                // root): try again later, waiting longer each time the same round fails, so a file that cannot be
                // had now never keeps this thread busy.
                Duration wait;
                synchronized (state) {
                    wait = state.pullBackoff.next();
                }
                LOG.info("{} file(s) from {} deferred; trying again in {} s", outcome.deferred(),
                        link.peer().shortForm(), wait.toSeconds());
                syncThread.schedule(() -> schedulePull(state), wait.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                synchronized (state) {
                    state.pullBackoff.reset();
                }
            }
        } catch (ProtocolException e) {
            LOG.warn("Closing the link with {}: {}", link.peer().shortForm(), e.getMessage());
            link.close(e);
        } catch (FolderGoneException e) {
            folderGone(e);
        } catch (IOException e) {
            LOG.warn("Pulling from {} stopped: {}", link.peer().shortForm(), e.getMessage());
            link.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (closing) {
                // Stopping: the round ran into executors already shut down. Nothing is wrong, and what it had made
                // durable is recorded; the rest is fetched on the next start.
                LOG.debug("Pulling from {} stopped by the shutdown", link.peer().shortForm(), e);
            } else {
                LOG.error("Pulling from {} failed", link.peer().shortForm(), e);
            }
            link.close();
        } finally {
            state.pulling = false;
            syncWaits.recheck();
        }
        if (!peerRoot.equals(state.peerRoot)) {
            schedulePull(state);
        }
    }

    private void rescan() {
        changed(ChangeSet.whole(folder.path()));
    }

    /**
     * Re-indexes what changed (only those directories, unless the whole folder: {@link Folder#rescan}) and tells
     * linked peers the new root at once. Files that a pull round installed are found as already indexed, so the
     * watcher's events for them change no root and announce nothing.
     */
    private void changed(ChangeSet changes) {
        try {
            folder.rescan(changes.directories(), changes.subtrees(), new ScanProgress());
            afterIndexChange();
            for (PeerState state : states.values()) {
                if (state.retry) {
                    state.retry = false;
                    schedulePull(state);
                }
            }
        } catch (FolderGoneException e) {
            folderGone(e);
        } catch (IOException e) {
            LOG.warn("Rescan of {} failed: {}", folder.path(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Rescan of {} failed", folder.path(), e);
        }
    }

    private void folderGone(FolderGoneException e) {
        LOG.error(e.getMessage());
        stopBecause(e.getMessage());
    }

    /** Tells every linked peer our new root, if it changed. Runs on the sync thread. */
    private void afterIndexChange() throws IOException {
        TreeSummary now = folder.summary();
        if (now.treeHash().equals(root)) {
            return;
        }
        setSummary(now);
        for (PeerState state : states.values()) {
            Link link = state.link;
            if (link != null) {
                link.announce(root);
            }
        }
    }

    private void setSummary(TreeSummary now) {
        summary = now;
        root = now.treeHash();
        syncWaits.recheck();
    }

    // ---- The control socket --------------------------------------------------------------------------------------

    /** A restore for the control socket, to run on the sync thread; it rescans so every peer hears of it at once. */
    private Callable<String> restoreWork(String request) {
        return () -> {
            String answer = Restore.answer(folder, installer, request);
            rescan();
            return answer;
        };
    }
}

package dev.mirror.cli;

import dev.mirror.core.DeviceId;
import dev.mirror.daemon.Daemon;
import dev.mirror.daemon.Folder;
import dev.mirror.daemon.PeerBook;
import dev.mirror.identity.Invite;
import dev.mirror.identity.PeerAddress;
import dev.mirror.store.FolderException;
import dev.mirror.wire.TlsContexts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mirror join}: pairs with a peer from its invite line (or reaches a paired one), then keeps mirroring. */
@Command(name = "join", mixinStandardHelpOptions = true,
        description = {"Pair DIR with the peer that printed PEER, then keep the two mirrored until stopped.",
            "PEER is HOST:PORT#TOKEN from 'mirror serve' or 'mirror invite' the first time, or HOST:PORT of a peer "
                + "already paired. Files already in DIR are kept: identical ones are recognised and not sent."},
        footer = {"", "Examples:", "  mirror join 192.168.1.20:7733#AQ3k…Zw ~/Sync",
            "  mirror join 192.168.1.20:7733 ~/Sync     # already paired"})
final class JoinCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PEER", description = "HOST:PORT#TOKEN, or HOST:PORT if already paired.")
    String peer;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DIR", description = "The synced folder (default: .).")
    Path directory = Path.of(".");

    @Mixin
    PeerOptions options = new PeerOptions();

    @Override
    public Integer call() throws Exception {
        Optional<Invite> invite = parsePeer();
        TlsContexts.prepareInBackground();
        Folder folder = Folder.open(directory);
        Daemon daemon;
        try {
            if (invite.isPresent() && invite.get().inviter().equals(folder.deviceId())) {
                throw new FolderException("That invite is from this very peer (" + folder.path() + "); run the join "
                        + "on the other machine.");
            }
            if (invite.isEmpty()) {
                requirePaired(folder, PeerAddress.parse(peer));
            }
        } catch (RuntimeException | java.io.IOException e) {
            folder.close();
            throw e;
        }
        daemon = Daemon.start(folder, options.toDaemonOptions(true), invite);
        return PeerRunner.runUntilStopped(daemon, spec.commandLine().getErr(), "mirroring " + folder.path()
                + " with " + peer.replaceAll("#.*", ""));
    }

    private Optional<Invite> parsePeer() {
        try {
            if (peer.contains("#")) {
                return Optional.of(Invite.parse(peer));
            }
            PeerAddress.parse(peer);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Invalid PEER: " + e.getMessage());
        }
    }

    private static void requirePaired(Folder folder, PeerAddress address) throws java.io.IOException {
        for (Map.Entry<DeviceId, Optional<PeerAddress>> paired : PeerBook.load(folder.state().path()).all()
                .entrySet()) {
            if (paired.getValue().equals(Optional.of(address))) {
                return;
            }
        }
        throw new FolderException(folder.path() + " is not paired with a peer at " + address.format() + "; pair "
                + "with the line that 'mirror serve' or 'mirror invite' prints there (HOST:PORT#TOKEN).");
    }
}

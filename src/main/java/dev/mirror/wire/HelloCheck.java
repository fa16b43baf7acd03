package dev.mirror.wire;

import com.google.protobuf.ByteString;
import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.identity.InviteBook;
import dev.mirror.identity.InviteSecret;
import dev.mirror.scan.Chunker;
import dev.mirror.tree.TreeParams;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.Hello;
import dev.mirror.wire.proto.TreeParameters;

import java.util.function.Predicate;

/**
 * Checks the first message of a link against what this peer is: same protocol version, same folder, the same tree
 * parameters (otherwise the two roots could never agree), a device ID equal to the one TLS proved, and — for a
 * device not yet paired — a valid one-time invite secret. Pure but for consuming the secret. Thread-safe.
 */
public final class HelloCheck {
    public static final int PROTOCOL_VERSION = 1;

    private final String folderId;
    private final TreeParameters parameters;
    private final Predicate<DeviceId> paired;
    private final InviteBook invites;

    public HelloCheck(String folderId, TreeParams params, Predicate<DeviceId> paired, InviteBook invites) {
        this.folderId = folderId;
        this.parameters = toWire(params);
        this.paired = paired;
        this.invites = invites;
    }

    /** What a peer with {@code params} sends as its parameters. */
    public static TreeParameters toWire(TreeParams params) {
        return TreeParameters.newBuilder().setHash(params.hashAlgorithm()).setChunker(Chunker.ALGORITHM)
                .setChunkMinBytes(params.chunker().minBytes()).setChunkAvgBytes(params.chunker().avgBytes())
                .setChunkMaxBytes(params.chunker().maxBytes()).setBucketBits(params.bucketBits())
                .setHashFormat(params.hashFormat()).build();
    }

    /**
     * Accepts {@code hello} from the device TLS proved to be {@code provenDevice}.
     *
     * @return true if the device was not paired before and has just paired with a valid invite secret
     * @throws ProtocolException with the code to close the link with, and one sentence for both logs
     */
    public boolean accept(Hello hello, DeviceId provenDevice) throws ProtocolException {
        if (hello.getProtocolVersion() != PROTOCOL_VERSION) {
            throw new ProtocolException(Failure.Code.INCOMPATIBLE, "the peer speaks protocol version "
                    + hello.getProtocolVersion() + ", this mirror speaks " + PROTOCOL_VERSION + "; update the older one");
        }
        if (!parameters.equals(hello.getParameters())) {
            throw new ProtocolException(Failure.Code.INCOMPATIBLE, "the peer builds its tree with other parameters ("
                    + describe(hello.getParameters()) + ", here " + describe(parameters) + "); their roots could "
                    + "never agree");
        }
        if (!hello.getFolderId().equals(folderId)) {
            throw new ProtocolException(Failure.Code.INCOMPATIBLE, "the peer offers folder '" + hello.getFolderId()
                    + "', this peer mirrors '" + folderId + "'");
        }
        checkHash(hello.getRoot(), "root");
        if (!checkHash(hello.getDeviceId(), "device ID").equals(provenDevice.hash())) {
            throw new ProtocolException(Failure.Code.PROTOCOL, "the peer's Hello names another device than its "
                    + "certificate");
        }
        if (paired.test(provenDevice)) {
            return false;
        }
        ByteString secret = hello.getPairingSecret();
        if (secret.size() != InviteSecret.BYTES || !invites.consume(InviteSecret.of(secret.toByteArray()))) {
            // Never say which: forged, expired and used secrets look alike to the one who presents them.
            throw new ProtocolException(Failure.Code.NOT_PAIRED, "device " + provenDevice + " is not paired and "
                    + "presented no valid invite (forged, expired or already used)");
        }
        return true;
    }

    private static Hash checkHash(ByteString bytes, String what) throws ProtocolException {
        return WireHashes.hash(bytes, "Hello with a " + what);
    }

    private static String describe(TreeParameters p) {
        return p.getHash() + " " + p.getChunker() + " " + p.getChunkMinBytes() + "/" + p.getChunkAvgBytes() + "/"
                + p.getChunkMaxBytes() + " buckets=" + p.getBucketBits() + " format=" + p.getHashFormat();
    }
}

package dev.mirror.wire;

import com.google.protobuf.ByteString;
import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.identity.InviteBook;
import dev.mirror.identity.InviteSecret;
import dev.mirror.tree.TreeParams;
import dev.mirror.wire.proto.Failure;
import dev.mirror.wire.proto.Hello;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelloCheckTest {
    private static final DeviceId KNOWN = DeviceId.of(Hash.sha256(new byte[] {1}));
    private static final DeviceId STRANGER = DeviceId.of(Hash.sha256(new byte[] {2}));

    private final InviteBook invites = new InviteBook(Clock.systemUTC(), Duration.ofHours(24));
    private final HelloCheck check = new HelloCheck("default", TreeParams.DEFAULT, Set.of(KNOWN)::contains, invites);

    @Test
    void pairedDeviceIsAccepted() throws ProtocolException {
        assertFalse(check.accept(hello(KNOWN).build(), KNOWN), "already paired: nothing new");
    }

    @Test
    void unknownDeviceWithAValidSecretPairsOnceOnly() throws ProtocolException {
        InviteSecret secret = invites.issue();
        Hello hello = hello(STRANGER).setPairingSecret(ByteString.copyFrom(secret.toBytes())).build();
        assertTrue(check.accept(hello, STRANGER));
        ProtocolException replay = assertThrows(ProtocolException.class, () -> check.accept(hello, STRANGER));
        assertEquals(Failure.Code.NOT_PAIRED, replay.code());
    }

    @Test
    void unknownDeviceWithoutASecretIsNotPaired() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> check.accept(hello(STRANGER).build(),
                STRANGER));
        assertEquals(Failure.Code.NOT_PAIRED, e.code());
        assertTrue(e.getMessage().contains("forged, expired or already used"));
    }

    @Test
    void helloNamingAnotherDeviceThanTlsProvedIsAProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> check.accept(hello(KNOWN).build(),
                STRANGER));
        assertEquals(Failure.Code.PROTOCOL, e.code());
    }

    @Test
    void otherTreeParametersAreIncompatibleWithAReason() {
        Hello hello = hello(KNOWN).setParameters(HelloCheck.toWire(TreeParams.DEFAULT).toBuilder()
                .setChunkAvgBytes(32768)).build();
        ProtocolException e = assertThrows(ProtocolException.class, () -> check.accept(hello, KNOWN));
        assertEquals(Failure.Code.INCOMPATIBLE, e.code());
        assertTrue(e.getMessage().contains("16384/32768/262144"), e.getMessage());
    }

    @Test
    void otherProtocolVersionOrFolderIsIncompatible() {
        assertEquals(Failure.Code.INCOMPATIBLE, assertThrows(ProtocolException.class,
                () -> check.accept(hello(KNOWN).setProtocolVersion(2).build(), KNOWN)).code());
        assertEquals(Failure.Code.INCOMPATIBLE, assertThrows(ProtocolException.class,
                () -> check.accept(hello(KNOWN).setFolderId("photos").build(), KNOWN)).code());
    }

    @Test
    void malformedHashesAreProtocolErrors() {
        assertEquals(Failure.Code.PROTOCOL, assertThrows(ProtocolException.class,
                () -> check.accept(hello(KNOWN).setRoot(ByteString.copyFrom(new byte[3])).build(), KNOWN)).code());
    }

    private static Hello.Builder hello(DeviceId device) {
        return Hello.newBuilder().setProtocolVersion(HelloCheck.PROTOCOL_VERSION)
                .setDeviceId(ByteString.copyFrom(device.hash().toBytes())).setFolderId("default")
                .setParameters(HelloCheck.toWire(TreeParams.DEFAULT)).setRoot(ByteString.copyFrom(new byte[32]));
    }
}

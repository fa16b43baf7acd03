package dev.mirror.wire;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.security.cert.CertificateException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LinkGuardTest {
    @Test
    void aRefusedCertificateIsNamedByPeerTrustsReasonWhateverTheTlsEngineSaid() {
        SSLHandshakeException boring = new SSLHandshakeException("General OpenSslEngine problem");
        boring.initCause(new CertificateException("unknown device X: not paired with this folder"));
        assertEquals("TLS failed (unknown device X: not paired with this folder)",
                LinkGuard.reason(new DecoderException(boring)));
    }

    @Test
    void otherFailuresKeepTheirWording() {
        assertEquals("a malformed frame (bad tag)",
                LinkGuard.reason(new DecoderException(new IllegalStateException("bad tag"))));
        assertEquals("a frame over the " + FrameCodec.MAX_FRAME_BYTES + "-byte cap (too long)",
                LinkGuard.reason(new TooLongFrameException("too long")));
    }
}

package dev.mirror.wire;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.SocketAddress;

/**
 * The last handler of every link: any failure on it — a frame over the cap, bytes that are not a Frame, a protocol
 * violation found above — is logged once with the peer and the reason, and closes that link. The peer process
 * itself never goes down because of what another peer sent. Stateless; one instance may serve every link.
 */
@io.netty.channel.ChannelHandler.Sharable
public final class LinkGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LinkGuard.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel().isOpen()) {
            LOG.warn("Closing the link with {}: {}", peer(ctx.channel().remoteAddress()), reason(cause));
            LOG.debug("Link failure", cause);
            ctx.close();
        }
    }

    /** One sentence naming what went wrong, for the log. */
    static String reason(Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            return "a frame over the " + FrameCodec.MAX_FRAME_BYTES + "-byte cap (" + cause.getMessage() + ")";
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            // BoringSSL's own message is "General OpenSslEngine problem"; PeerTrust's reason is its cause.
            Throwable root = cause.getCause();
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "TLS failed (" + root.getMessage() + ")";
        }
        if (cause instanceof DecoderException && cause.getCause() != null) {
            return "a malformed frame (" + cause.getCause().getMessage() + ")";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static String peer(SocketAddress address) {
        return address == null ? "a peer" : address.toString();
    }
}

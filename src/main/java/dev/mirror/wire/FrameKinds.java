package dev.mirror.wire;

import dev.mirror.wire.proto.Frame;

/** Which frame body answers which request: a reply of any other kind breaks the protocol. */
final class FrameKinds {
    private FrameKinds() {
    }

    /** The reply kind of request kind {@code request}, or null if it is not a request. */
    static Frame.BodyCase replyTo(Frame.BodyCase request) {
        return switch (request) {
            case LIST_REQUEST -> Frame.BodyCase.LIST_REPLY;
            case CHUNK_LIST_REQUEST -> Frame.BodyCase.CHUNK_LIST_REPLY;
            case CHUNK_REQUEST -> Frame.BodyCase.CHUNK_REPLY;
            default -> null;
        };
    }
}

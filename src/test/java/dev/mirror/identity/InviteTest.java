package dev.mirror.identity;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Hash;
import dev.mirror.testing.HandClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InviteTest {
    private static final DeviceId DEVICE = DeviceId.of(Hash.sha256(new byte[] {42}));

    @Test
    void formatAndParseRoundTrip() {
        Invite invite = new Invite(new PeerAddress("192.168.1.20", 22000), DEVICE, InviteSecret.random());
        Invite parsed = Invite.parse(invite.format());
        assertEquals(invite, parsed);
        assertTrue(invite.format().startsWith("192.168.1.20:22000#"));
        assertTrue(invite.format().matches("[^#]+#[A-Za-z0-9_-]+"), "shell- and chat-safe: " + invite.format());
    }

    @Test
    void ipv6AddressesAreBracketed() {
        Invite invite = new Invite(new PeerAddress("fd7a:115c::1", 22000), DEVICE, InviteSecret.random());
        assertTrue(invite.format().startsWith("[fd7a:115c::1]:22000#"));
        assertEquals(invite, Invite.parse(invite.format()));
    }

    @Test
    void toStringNeverShowsTheSecret() {
        Invite invite = new Invite(new PeerAddress("host", 1), DEVICE, InviteSecret.random());
        String token = invite.format().substring(invite.format().indexOf('#') + 1);
        assertFalse(invite.toString().contains(token));
        assertFalse(invite.toString().contains(token.substring(44)), "not even the secret's part of the token");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no token at all                 | host:22000                 | has no invite token",
        "no port                         | host#AAAA                  | is not HOST:PORT",
        "port out of range               | host:70000#AAAA            | not between 1 and 65535",
        "port not a number               | host:http#AAAA             | is not a port number",
        "an unbracketed IPv6 address     | fd7a::1:22000#AAAA         | write an IPv6 address as [ADDRESS]:PORT",
        "a token that is not base64url   | host:22000#not*base64      | not base64url",
        "a truncated token               | host:22000#AQID            | damaged or from another version",
    })
    void malformedInvitesAreRefusedWithAReason(String what, String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Invite.parse(text.strip()));
        assertTrue(e.getMessage().contains(reason.strip()), what + ": " + e.getMessage());
    }

    @Test
    void aSecretAdmitsOneDeviceOnce() {
        InviteBook book = new InviteBook(Clock.systemUTC(), InviteBook.DEFAULT_LIFETIME);
        InviteSecret secret = book.issue();
        assertTrue(book.consume(InviteSecret.of(copy(secret))));
        assertFalse(book.consume(secret), "a used secret is gone");
    }

    @Test
    void forgedAndExpiredSecretsAreRefused() {
        HandClock clock = HandClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        InviteBook book = new InviteBook(clock, Duration.ofHours(24));
        InviteSecret secret = book.issue();
        assertFalse(book.consume(InviteSecret.random()), "a forged secret");
        clock.advance(Duration.ofHours(24));
        assertFalse(book.consume(secret), "expired at exactly 24 hours");
    }

    private static byte[] copy(InviteSecret secret) {
        byte[] bytes = new byte[InviteSecret.BYTES];
        secret.copyTo(bytes, 0);
        return bytes;
    }

}

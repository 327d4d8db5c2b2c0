/// Web Push wake-ups (RFC 8030) from the server's side: the VAPID identity (RFC 8292) that
/// push services know this server by, and the signed `Authorization` header each push carries.
/// Message encryption (RFC 8291) is shared with the client and lives in
/// `dev.courier.protocol.webpush`.
package dev.courier.server.push.webpush;

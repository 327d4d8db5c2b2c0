/// The Courier server. [dev.courier.server.CourierServer] is the composition root; each domain
/// package (`accounts`, `keys`, `messages`, `delivery`, `push`) owns its logic and declares its
/// storage port, and `storage.sqlite` implements the ports on the embedded database.
package dev.courier.server;

/// The Courier server. [dev.courier.server.CourierServer] is the composition root; each domain
/// package (`accounts`, `keys`, `messages`, `delivery`, `push`) owns its logic and declares its
/// storage port; `storage.sqlite` implements the ports on the embedded database and
/// `storage.postgres` on PostgreSQL, each opened as one `storage.Storage`.
package dev.courier.server;

/// Wire types of Courier's HTTP and WebSocket API, shared by the server and the client SDK.
///
/// Every type here is a plain record that Jackson reads and writes as JSON. Byte arrays travel as
/// standard base64 with padding (Jackson's default). `docs/API.md` describes each one.
package dev.courier.protocol;

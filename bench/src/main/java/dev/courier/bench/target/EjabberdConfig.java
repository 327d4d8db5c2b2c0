package dev.courier.bench.target;

/// The benchmark's ejabberd configuration, chosen to make the comparison fair, each choice
/// against a default that would distort it:
///
/// - one c2s listener on loopback, `starttls: false` and no certificate (Courier is measured on
///   plain HTTP), `shaper: none` (the packaged config limits each client to 1,000 bytes/s),
///   `backlog: 4096` (the default of 5 drops connects when thousands arrive at once);
/// - SASL PLAIN against passwords stored in plain (`auth_password_format: plain`), the
///   cheapest check there is;
/// - in-band registration (`mod_register`) open to loopback only, with `registration_timeout:
///   infinity` (the default allows one registration per IP every 600 s);
/// - `mod_offline` on Mnesia with no per-user cap (the packaged config caps at 100 messages);
/// - `mod_roster` because clients expect it; no `mod_mam`, `mod_carboncopy`,
///   `mod_stream_mgmt`, `mod_ping`, `mod_pubsub`, `mod_caps`: no archive copy of each message,
///   no acks, no extra traffic on either side;
/// - `max_fsm_queue` raised so a fast sender's queue is not cut off, loglevel `warning`.
final class EjabberdConfig {
    private EjabberdConfig() {}

    static String yaml(String host, int port) {
        return """
                hosts:
                  - "%s"
                loglevel: warning
                log_rotate_count: 0
                default_db: mnesia
                auth_method: internal
                auth_password_format: plain
                registration_timeout: infinity
                max_fsm_queue: 1000000
                listen:
                  -
                    port: %d
                    ip: "127.0.0.1"
                    module: ejabberd_c2s
                    starttls: false
                    shaper: none
                    max_stanza_size: 1048576
                    backlog: 4096
                acl:
                  loopback:
                    ip:
                      - 127.0.0.0/8
                access_rules:
                  register:
                    allow: all
                  register_from_loopback:
                    allow: loopback
                shaper_rules:
                  max_user_offline_messages: 100000000
                  max_user_sessions: 10
                modules:
                  mod_offline:
                    access_max_user_messages: max_user_offline_messages
                  mod_register:
                    access: register
                    ip_access: register_from_loopback
                  mod_roster: {}
                """.formatted(host, port);
    }

    /// `ejabberdctl.cfg`: the node's name, Erlang port and process tables big enough for
    /// `maxConnections` sockets (each is a port and a process or two), and `erl` replaced by
    /// [#erlWrapper], which `ejabberdctl` allows because it reads this file after setting `ERL`.
    static String ctl(String node, int maxConnections, String erlWrapper) {
        return """
                ERLANG_NODE=%s
                ERL_MAX_PORTS=%d
                ERL_PROCESSES=%d
                ERL=%s
                """.formatted(node, Math.max(32_000, 2 * maxConnections + 1_000), Math.max(250_000, 4 * maxConnections + 10_000), erlWrapper);
    }

    /// `erl`, after raising the open-file soft limit to the hard one, as Courier's launch shell
    /// does. Needed because `ejabberdctl` started by root runs the node through `su ejabberd`, which
    /// puts the soft limit back to 1,024, and the VM sizes its tables from the limit it starts with.
    static String erlWrapper() {
        return """
                #!/bin/sh
                ulimit -n "$(ulimit -Hn)" 2>/dev/null
                exec /usr/bin/erl "$@"
                """;
    }
}

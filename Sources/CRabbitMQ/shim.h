#ifndef TRADINGD_CRABBITMQ_SHIM_H
#define TRADINGD_CRABBITMQ_SHIM_H
// rabbitmq-c 0.11 (Debian 12) installs its headers at the top of the include path; 0.12+ moved
// them under rabbitmq-c/. Accept both.
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#include <rabbitmq-c/ssl_socket.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#endif

// amqp_login is C-variadic, which Swift cannot call: a fixed-arity wrapper.
static inline amqp_rpc_reply_t tradingd_amqp_login_plain(amqp_connection_state_t state,
                                                         const char *vhost, int channel_max,
                                                         int frame_max, int heartbeat,
                                                         const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}
// The same with client properties (e.g. connection_name, which the management API shows).
static inline amqp_rpc_reply_t tradingd_amqp_login_plain_with_properties(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max,
    int heartbeat, const amqp_table_t *client_properties, const char *user,
    const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat,
                                      client_properties, AMQP_SASL_METHOD_PLAIN, user, password);
}
#endif

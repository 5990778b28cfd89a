// AMQP

// AMQPTests

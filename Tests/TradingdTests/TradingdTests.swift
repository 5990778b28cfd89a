// TradingdTests

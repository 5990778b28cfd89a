// TradingCoreTests

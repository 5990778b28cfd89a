// TradingCore

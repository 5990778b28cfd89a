// Tradingd

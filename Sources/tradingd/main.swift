import Foundation
import Tradingd

exit(CommandLineInterface().run(Array(CommandLine.arguments.dropFirst())))

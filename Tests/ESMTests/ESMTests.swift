// ESMTests

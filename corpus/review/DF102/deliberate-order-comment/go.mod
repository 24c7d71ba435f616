module example.com/throttler

go 1.21

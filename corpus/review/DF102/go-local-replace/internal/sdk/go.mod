module example.com/sdk

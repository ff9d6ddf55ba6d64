"""The procuratorates' channel (检察数据通道): clue referrals, assistance requests, joint public-interest
cases, materials held by their holder, and a signed delivery receipt chain for each."""

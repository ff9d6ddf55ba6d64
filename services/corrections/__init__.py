"""Community-correction record sharing (社区矫正)."""

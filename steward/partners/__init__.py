"""Partner memory: organizations, how they are recognised, what was agreed and given back."""

"""dfix bot: fix repositories and open or update pull requests."""

"""The cluster kit (issue 18): cluster-side pieces the review's actions call for, under OUT/_cluster/."""

"""One rank of a data-parallel training job: fits y = 3x + 1 on this rank's shard.

Updraft starts one process per replica with the variables torchrun sets (RANK,
WORLD_SIZE, MASTER_ADDR, MASTER_PORT, ...), so the default env:// rendezvous works; the
same script runs under torchrun or in a Kubeflow PyTorchJob unchanged.
"""

import json
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

params = json.load(open(os.environ["UPDRAFT_PARAMS"]))
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()

# Each rank draws its own shard of the data.
torch.manual_seed(rank)
x = torch.rand(256, 1) * 2 - 1
y = 3 * x + 1 + 0.01 * torch.randn(256, 1)

torch.manual_seed(0)  # the same initial weights everywhere (DDP also broadcasts rank 0's)
model = DistributedDataParallel(torch.nn.Linear(1, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=float(params["lr"]))
for epoch in range(int(params["epochs"])):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()  # DDP all-reduces the gradients here
    optimizer.step()

# The mean loss over every rank's shard.
total = loss.detach().clone()
dist.all_reduce(total, op=dist.ReduceOp.SUM)
mean_loss = total.item() / world
print(f"rank {rank}/{world}: local loss {loss.item():.5f}, mean {mean_loss:.5f}", flush=True)

if rank == 0:
    linear = model.module
    with open(os.environ["UPDRAFT_OUTPUTS"], "a") as out:
        out.write(
            json.dumps(
                {
                    "loss": mean_loss,
                    "weight": linear.weight.item(),
                    "bias": linear.bias.item(),
                    "world_size": world,
                }
            )
            + "\n"
        )
dist.destroy_process_group()
